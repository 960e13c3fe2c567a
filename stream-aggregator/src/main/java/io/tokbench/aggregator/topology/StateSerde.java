package io.tokbench.aggregator.topology;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Plain Avro binary for the aggregator's own state (stores, changelogs, the repartition topic):
 * written and read by the same code, so no registry round trip is needed.
 */
public final class StateSerde<T extends SpecificRecord> implements Serde<T> {
  private final SpecificDatumWriter<T> writer;
  private final SpecificDatumReader<T> reader;

  public StateSerde(Class<T> type) {
    SpecificData model = SpecificData.getForClass(type);
    this.writer = new SpecificDatumWriter<>(model.getSchema(type), model);
    this.reader = new SpecificDatumReader<>(model.getSchema(type), model.getSchema(type), model);
  }

  @Override
  public Serializer<T> serializer() {
    return (topic, value) -> {
      if (value == null) {
        return null;
      }
      try {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        synchronized (writer) {
          writer.write(value, encoder);
        }
        encoder.flush();
        return out.toByteArray();
      } catch (IOException e) {
        throw new SerializationException("cannot encode state " + value.getClass().getSimpleName(), e);
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
        synchronized (reader) {
          return reader.read(null, DecoderFactory.get().binaryDecoder(bytes, null));
        }
      } catch (IOException e) {
        throw new SerializationException("cannot decode state", e);
      }
    };
  }
}
