package io.tokbench.serde;

import java.io.IOException;
import java.util.Collection;
import java.util.Optional;
import java.util.UUID;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;

/**
 * Finds the field that made a decode fail on its uuid logical type: the bytes were sound, a value
 * was not, and the contributor should be told which field, not what Java thought of it.
 */
final class UuidFields {
  private UuidFields() {}

  /** "rigId is not a UUID: ..." for the first such field, or empty when none is at fault. */
  static Optional<String> firstInvalid(Schema writer, byte[] payload, int offset, int length, Schema reader) {
    Object datum;
    try {
      // Plain generic data has no conversions: uuid fields stay text, so the decode succeeds.
      datum = new GenericDatumReader<>(writer, writer, new GenericData()).read(null, DecoderFactory.get().binaryDecoder(payload, offset, length, null));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
    return find(reader, datum, "");
  }

  private static Optional<String> find(Schema reader, Object datum, String path) {
    if (datum == null) {
      return Optional.empty();
    }
    switch (reader.getType()) {
      case STRING -> {
        if (reader.getLogicalType() instanceof LogicalTypes.Uuid && datum instanceof CharSequence text && !isUuid(text.toString())) {
          return Optional.of(path + " is not a UUID: \"" + ForPeople.shown(text.toString()) + "\"");
        }
      }
      case UNION -> {
        for (Schema branch : reader.getTypes()) {
          Optional<String> found = find(branch, datum, path);
          if (found.isPresent()) {
            return found;
          }
        }
      }
      case RECORD -> {
        if (datum instanceof GenericRecord record) {
          for (Schema.Field field : reader.getFields()) {
            if (record.getSchema().getField(field.name()) != null) {
              Optional<String> found = find(field.schema(), record.get(field.name()), path.isEmpty() ? field.name() : path + "." + field.name());
              if (found.isPresent()) {
                return found;
              }
            }
          }
        }
      }
      case ARRAY -> {
        if (datum instanceof Collection<?> items) {
          int i = 0;
          for (Object item : items) {
            Optional<String> found = find(reader.getElementType(), item, path + "[" + i++ + "]");
            if (found.isPresent()) {
              return found;
            }
          }
        }
      }
      default -> { }
    }
    return Optional.empty();
  }

  private static boolean isUuid(String text) {
    try {
      UUID.fromString(text);
      return text.length() == 36;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
