package io.tokbench.registry.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokbench.registry.CompatibilityLevel;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The {@code _schemas} records are byte-for-byte Confluent's (KafkaStore's SchemaKey, SchemaValue,
 * ConfigKey, DeleteSubjectKey in confluentinc/schema-registry core/.../storage), so a topic written
 * by Confluent's registry replays here and the other way round.
 */
class SchemasTopicCodecTest {

  @Test
  void schemaVersionUsesConfluentsKeyAndValueLayout() {
    SchemasTopicCodec.Encoded encoded =
        SchemasTopicCodec.encode(new StoreRecord.SchemaVersion("t-value", 1, 7, "\"string\"", false));
    assertThat(text(encoded.key())).isEqualTo("{\"keytype\":\"SCHEMA\",\"subject\":\"t-value\",\"version\":1,\"magic\":1}");
    assertThat(text(encoded.value())).isEqualTo("{\"subject\":\"t-value\",\"version\":1,\"id\":7,\"schema\":\"\\\"string\\\"\",\"deleted\":false}");
  }

  @Test
  void permanentDeleteIsATombstoneOnTheSameKey() {
    SchemasTopicCodec.Encoded live = SchemasTopicCodec.encode(new StoreRecord.SchemaVersion("t-value", 3, 9, "\"int\"", false));
    SchemasTopicCodec.Encoded gone = SchemasTopicCodec.encode(new StoreRecord.SchemaVersion("t-value", 3, 9, null, true));
    assertThat(gone.key()).isEqualTo(live.key());
    assertThat(gone.value()).isNull();
  }

  @Test
  void globalConfigHasANullSubject() {
    SchemasTopicCodec.Encoded encoded = SchemasTopicCodec.encode(new StoreRecord.Config(null, CompatibilityLevel.FULL));
    assertThat(text(encoded.key())).isEqualTo("{\"keytype\":\"CONFIG\",\"subject\":null,\"magic\":0}");
    assertThat(text(encoded.value())).isEqualTo("{\"compatibilityLevel\":\"FULL\"}");
  }

  @Test
  void readsRecordsAsConfluentsRegistryWritesThem() {
    // As written by Confluent Schema Registry (Redpanda and Karapace test fixtures use the same bytes).
    assertThat(decode("{\"keytype\":\"SCHEMA\",\"subject\":\"subject_0\",\"version\":1,\"magic\":1}",
            "{\"subject\":\"subject_0\",\"version\":1,\"id\":1,\"schema\":\"{\\\"type\\\":\\\"string\\\"}\",\"deleted\":false}"))
        .isEqualTo(new StoreRecord.SchemaVersion("subject_0", 1, 1, "{\"type\":\"string\"}", false));
    // Confluent may leave out a null subject on the global config key.
    assertThat(decode("{\"keytype\":\"CONFIG\",\"magic\":0}", "{\"compatibilityLevel\":\"NONE\"}"))
        .isEqualTo(new StoreRecord.Config(null, CompatibilityLevel.NONE));
    assertThat(decode("{\"keytype\":\"DELETE_SUBJECT\",\"subject\":\"s\",\"magic\":0}", "{\"subject\":\"s\",\"version\":4}"))
        .isEqualTo(new StoreRecord.DeleteSubject("s", 4));
  }

  @Test
  void recordsItDoesNotInterpretAreSkippedNotFatal() {
    assertThat(decode("{\"keytype\":\"NOOP\",\"magic\":0}", null)).isInstanceOf(StoreRecord.Other.class);
    assertThat(decode("{\"keytype\":\"MODE\",\"subject\":null,\"magic\":0}", "{\"mode\":\"READWRITE\"}")).isInstanceOf(StoreRecord.Other.class);
    assertThat(decode("not json", "{}")).isInstanceOf(StoreRecord.Other.class);
  }

  private static StoreRecord decode(String key, String value) {
    return SchemasTopicCodec.decode(key.getBytes(StandardCharsets.UTF_8), value == null ? null : value.getBytes(StandardCharsets.UTF_8));
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
