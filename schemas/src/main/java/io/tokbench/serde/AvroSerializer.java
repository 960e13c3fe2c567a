package io.tokbench.serde;

import io.tokbench.registry.client.RegistryClientConfig;
import io.tokbench.registry.client.RegistryException;
import io.tokbench.registry.client.SchemaRegistryClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes Avro records in Confluent's wire format, registering (or looking up) the record's schema
 * under the topic name strategy's subject. Generated {@link SpecificRecord}s are written with their
 * own model so logical types (uuid, timestamp-millis) convert; other records generically.
 */
public class AvroSerializer<T extends IndexedRecord> implements Serializer<T> {
  private SchemaRegistryClient registry;
  private boolean isKey;
  private boolean autoRegister = true;
  private final Map<Schema, DatumWriter<T>> writers = new ConcurrentHashMap<>();

  /** For Kafka's reflective construction; {@link #configure} must follow. */
  public AvroSerializer() {}

  /** With a shared client (its caches then serve every serde built on it). */
  public AvroSerializer(SchemaRegistryClient registry) {
    this.registry = registry;
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    this.isKey = isKey;
    this.autoRegister = SerdeConfig.booleanValue(configs, SerdeConfig.AUTO_REGISTER_SCHEMAS, true);
    if (registry == null) {
      registry = new SchemaRegistryClient(RegistryClientConfig.fromConfigs(configs));
    }
  }

  @Override
  public byte[] serialize(String topic, T record) {
    if (record == null) {
      return null;
    }
    if (registry == null) {
      throw new IllegalStateException("AvroSerializer used before configure()");
    }
    Schema schema = record.getSchema();
    String subject = SerdeConfig.subject(topic, isKey);
    int id;
    try {
      id = autoRegister ? registry.register(subject, schema) : registry.idOf(subject, schema);
    } catch (RegistryException e) {
      throw new WireFormatException(
          WireFormatException.Reason.REGISTRY_UNAVAILABLE,
          "cannot " + (autoRegister ? "register" : "look up") + " schema " + schema.getFullName() + ": " + e.getMessage(),
          e);
    }
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream(256);
      ByteBuffer header = ByteBuffer.allocate(WireFormat.HEADER_SIZE);
      WireFormat.writeHeader(header, id);
      out.write(header.array());
      BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
      writers.computeIfAbsent(schema, s -> writerFor(record)).write(record, encoder);
      encoder.flush();
      return out.toByteArray();
    } catch (IOException | RuntimeException e) {
      throw new SerializationException("cannot encode " + schema.getFullName() + " for topic " + topic + ": " + e.getMessage(), e);
    }
  }

  private DatumWriter<T> writerFor(T record) {
    if (record instanceof SpecificRecord) {
      return new SpecificDatumWriter<>(record.getSchema(), SpecificData.getForClass(record.getClass()));
    }
    return new GenericDatumWriter<>(record.getSchema());
  }
}
