package io.tokbench.aggregator.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.JsonProperties;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The aggregator's own state has a history like the public contract: a changelog written by an
 * older release must restore after an upgrade. Every internal state schema is released under
 * history/NAME/vN.avsc, the current one is the newest release, and a value written with every
 * released version decodes with today's serde, every field it had intact.
 */
class StateSchemaHistoryTest {
  private static final Path HISTORY = Path.of("history");

  static Stream<Class<? extends SpecificRecord>> stateTypes() {
    return Stream.of(io.tokbench.aggregator.state.CalibrationPoint.class, io.tokbench.aggregator.state.ContributionEvent.class,
        io.tokbench.aggregator.state.KeySet.class, io.tokbench.aggregator.state.RigContribution.class, io.tokbench.aggregator.state.RigSummary.class,
        io.tokbench.aggregator.state.Tally.class, io.tokbench.aggregator.state.GpuRigPresence.class);
  }

  @Test
  void everyInternalSchemaHasAHistory() throws IOException {
    try (Stream<Path> sources = Files.list(Path.of("src/main/avro"))) {
      List<String> names = sources.map(p -> p.getFileName().toString().replace(".avsc", "")).sorted().toList();
      assertThat(names).containsExactlyInAnyOrderElementsOf(stateTypes().map(Class::getSimpleName).toList());
      for (String name : names) {
        assertThat(HISTORY.resolve(name).resolve("v1.avsc")).as("history/%s/v1.avsc", name).exists();
      }
    }
  }

  @ParameterizedTest
  @MethodSource("stateTypes")
  void theCurrentSchemaIsTheNewestRelease(Class<? extends SpecificRecord> type) {
    Schema current = SpecificData.get().getSchema(type);
    List<Schema> released = StateSerde.released(current);
    assertThat(released).isNotEmpty();
    assertThat(released.get(released.size() - 1))
        .as("src/main/avro/%s.avsc changed: release it as history/%s/v%d.avsc (the schema as the generated class prints it)",
            type.getSimpleName(), type.getSimpleName(), released.size() + 1)
        .isEqualTo(current);
  }

  @ParameterizedTest
  @MethodSource("stateTypes")
  void aValueWrittenWithEveryReleasedVersionDecodes(Class<? extends SpecificRecord> type) throws IOException {
    Schema current = SpecificData.get().getSchema(type);
    StateSerde<? extends SpecificRecord> serde = new StateSerde<>(type);
    for (Schema writer : StateSerde.released(current)) {
      assertThat(SchemaCompatibility.checkReaderWriterCompatibility(current, writer).getType())
          .as("today's %s reads what %s wrote", type.getSimpleName(), writer.getFullName())
          .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
      GenericRecord old = (GenericRecord) sample(writer);
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      new BinaryMessageEncoder<GenericRecord>(GenericData.get(), writer).encode(old, bytes);
      SpecificRecord decoded = serde.deserializer().deserialize("changelog", bytes.toByteArray());
      assertThat(decoded).isNotNull();
      assertCarried(type.getSimpleName() + " v" + (StateSerde.released(current).indexOf(writer) + 1), old, decoded);
    }
  }

  /**
   * Every field the old value had reads back as it was written, nested records and arrays (a rig's
   * window of samples) included; a field added since reads as its default.
   */
  private static void assertCarried(String path, GenericRecord old, IndexedRecord decoded) {
    Schema reader = decoded.getSchema();
    for (Schema.Field field : reader.getFields()) {
      String name = path + "." + field.name();
      Object value = decoded.get(field.pos());
      if (old.getSchema().getField(field.name()) == null) {
        assertThat(String.valueOf(value)).as("%s, added since", name).isEqualTo(String.valueOf(field.defaultVal() == JsonProperties.NULL_VALUE ? null : field.defaultVal()));
        continue;
      }
      Object written = old.get(field.name());
      if (written instanceof GenericRecord nested) {
        assertCarried(name, nested, (IndexedRecord) value);
      } else if (written instanceof List<?> items) {
        List<?> read = (List<?>) value;
        assertThat(read).as(name).hasSameSizeAs(items);
        for (int i = 0; i < items.size(); i++) {
          if (items.get(i) instanceof GenericRecord item) {
            assertCarried(name + "[" + i + "]", item, (IndexedRecord) read.get(i));
          } else {
            assertThat(String.valueOf(read.get(i))).as("%s[%d]", name, i).isEqualTo(String.valueOf(items.get(i)));
          }
        }
      } else {
        assertThat(String.valueOf(value)).as(name).isEqualTo(String.valueOf(written));
      }
    }
  }

  /** A value of the schema with every field set (the first non-null branch of each union). */
  private static Object sample(Schema schema) {
    return switch (schema.getType()) {
      case NULL -> null;
      case BOOLEAN -> true;
      case INT -> 7;
      case LONG -> 7L;
      case FLOAT -> 1.5f;
      case DOUBLE -> 2.5;
      case STRING -> "x";
      case BYTES -> java.nio.ByteBuffer.wrap(new byte[] {1});
      case ENUM -> new GenericData.EnumSymbol(schema, schema.getEnumSymbols().get(0));
      case FIXED -> new GenericData.Fixed(schema, new byte[schema.getFixedSize()]);
      case ARRAY -> new ArrayList<>(List.of(sample(schema.getElementType())));
      case MAP -> Map.of("k", sample(schema.getValueType()));
      case UNION -> sample(schema.getTypes().stream().filter(t -> t.getType() != Schema.Type.NULL).findFirst().orElse(schema.getTypes().get(0)));
      case RECORD -> {
        GenericData.Record record = new GenericData.Record(schema);
        schema.getFields().forEach(f -> record.put(f.name(), sample(f.schema())));
        yield record;
      }
    };
  }
}
