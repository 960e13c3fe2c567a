package io.tokbench.registry.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tokbench.registry.CompatibilityLevel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Confluent's JSON encoding of {@code _schemas} records. Keys are written with a fixed field order
 * because compaction compares key bytes: the same logical key must always be the same bytes.
 */
final class SchemasTopicCodec {
  private static final ObjectMapper JSON = new ObjectMapper();

  private SchemasTopicCodec() {}

  record Encoded(byte[] key, byte[] value) {}

  static Encoded encode(StoreRecord record) {
    if (record instanceof StoreRecord.SchemaVersion v) {
      ObjectNode key = JSON.createObjectNode().put("keytype", "SCHEMA").put("subject", v.subject()).put("version", v.version()).put("magic", 1);
      ObjectNode value =
          v.isTombstone()
              ? null
              : JSON.createObjectNode()
                  .put("subject", v.subject())
                  .put("version", v.version())
                  .put("id", v.id())
                  .put("schema", v.schema())
                  .put("deleted", v.deleted());
      return new Encoded(bytes(key), value == null ? null : bytes(value));
    }
    if (record instanceof StoreRecord.Config c) {
      ObjectNode key = JSON.createObjectNode().put("keytype", "CONFIG");
      if (c.subject() == null) {
        key.putNull("subject");
      } else {
        key.put("subject", c.subject());
      }
      key.put("magic", 0);
      ObjectNode value = c.level() == null ? null : JSON.createObjectNode().put("compatibilityLevel", c.level().name());
      return new Encoded(bytes(key), value == null ? null : bytes(value));
    }
    if (record instanceof StoreRecord.DeleteSubject d) {
      ObjectNode key = JSON.createObjectNode().put("keytype", "DELETE_SUBJECT").put("subject", d.subject()).put("magic", 0);
      ObjectNode value = JSON.createObjectNode().put("subject", d.subject()).put("version", d.upToVersion());
      return new Encoded(bytes(key), bytes(value));
    }
    throw new IllegalArgumentException("not writable: " + record);
  }

  /** Decodes one topic record; anything unreadable or unknown becomes {@link StoreRecord.Other}. */
  static StoreRecord decode(byte[] keyBytes, byte[] valueBytes) {
    JsonNode key = tree(keyBytes);
    if (key == null || !key.has("keytype")) {
      return new StoreRecord.Other("unreadable");
    }
    JsonNode value = tree(valueBytes);
    String keyType = key.get("keytype").asText();
    String subject = key.hasNonNull("subject") ? key.get("subject").asText() : null;
    switch (keyType) {
      case "SCHEMA" -> {
        int version = key.path("version").asInt();
        if (value == null) {
          return new StoreRecord.SchemaVersion(subject, version, 0, null, true);
        }
        return new StoreRecord.SchemaVersion(
            subject, version, value.path("id").asInt(), value.path("schema").asText(), value.path("deleted").asBoolean(false));
      }
      case "CONFIG" -> {
        if (value == null) {
          return new StoreRecord.Config(subject, null);
        }
        try {
          return new StoreRecord.Config(subject, CompatibilityLevel.parse(value.path("compatibilityLevel").asText()));
        } catch (IllegalArgumentException e) {
          return new StoreRecord.Other("CONFIG with unknown level");
        }
      }
      case "DELETE_SUBJECT" -> {
        return value == null ? new StoreRecord.Other(keyType) : new StoreRecord.DeleteSubject(subject, value.path("version").asInt());
      }
      default -> {
        return new StoreRecord.Other(keyType);
      }
    }
  }

  private static byte[] bytes(JsonNode node) {
    try {
      return JSON.writeValueAsString(node).getBytes(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static JsonNode tree(byte[] bytes) {
    if (bytes == null) {
      return null;
    }
    try {
      return JSON.readTree(bytes);
    } catch (IOException e) {
      return null;
    }
  }
}
