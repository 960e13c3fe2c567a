package io.tokbench.aggregator.topology;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The aggregator's own state (stores, changelogs, the repartition topics) in Avro's single-object
 * encoding: each value starts with the 8-byte fingerprint of the schema it was written with, and
 * every released version of that schema is known to the decoder (loaded from {@code
 * state-history/} or, for the public records, {@code schema-history/}). So a changelog written by
 * an older release still restores after a schema change. Encoder and decoder are thread-safe:
 * stream threads and query threads share a serde without a lock.
 */
public final class StateSerde<T extends SpecificRecord> implements Serde<T> {
  private static final String INTERNAL_NAMESPACE = "io.tokbench.aggregator.state";

  private final Class<T> type;
  private final BinaryMessageEncoder<T> encoder;
  private final BinaryMessageDecoder<T> decoder;

  public StateSerde(Class<T> type) {
    this.type = type;
    SpecificData model = SpecificData.getForClass(type);
    Schema schema = model.getSchema(type);
    this.encoder = new BinaryMessageEncoder<>(model, schema);
    this.decoder = new BinaryMessageDecoder<>(model, schema);
    released(schema).forEach(decoder::addSchema);
  }

  /** Every released version of a state schema, oldest first (history/NAME/v1.avsc, v2, ...). */
  public static List<Schema> released(Schema schema) {
    String root = INTERNAL_NAMESPACE.equals(schema.getNamespace()) ? "state-history/" : "schema-history/";
    List<Schema> versions = new ArrayList<>();
    for (int version = 1; ; version++) {
      String resource = root + schema.getName() + "/v" + version + ".avsc";
      try (InputStream in = StateSerde.class.getClassLoader().getResourceAsStream(resource)) {
        if (in == null) {
          return versions;
        }
        versions.add(new Schema.Parser().parse(in));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + resource, e);
      }
    }
  }

  @Override
  public Serializer<T> serializer() {
    return (topic, value) -> {
      if (value == null) {
        return null;
      }
      try {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        encoder.encode(value, out);
        return out.toByteArray();
      } catch (IOException e) {
        throw new SerializationException("cannot encode state " + type.getSimpleName(), e);
      }
    };
  }

  @Override
  public Deserializer<T> deserializer() {
    return (topic, bytes) -> {
      if (bytes == null) {
        return null;
      }
      try {
        return decoder.decode(bytes);
      } catch (IOException | RuntimeException e) {
        throw new SerializationException("cannot decode state " + type.getSimpleName() + ": " + e.getMessage(), e);
      }
    };
  }
}
