package io.tokbench.serde;

import io.tokbench.registry.client.RegistryClientConfig;
import io.tokbench.registry.client.RegistryException;
import io.tokbench.registry.client.SchemaRegistryClient;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads Confluent wire-format payloads into a generated class. The writer schema comes from the
 * registry by the payload's id, the reader schema is the class's own, and Avro's schema resolution
 * bridges them: data written by older and newer agents both decode, missing fields taking their
 * defaults.
 */
public class AvroDeserializer<T extends SpecificRecord> implements Deserializer<T> {
  private SchemaRegistryClient registry;
  private Class<T> type;
  private final Map<Integer, SpecificDatumReader<T>> readers = new ConcurrentHashMap<>();

  /** For Kafka's reflective construction: the type comes from {@code specific.avro.value.type}. */
  public AvroDeserializer() {}

  public AvroDeserializer(Class<T> type) {
    this.type = type;
  }

  public AvroDeserializer(Class<T> type, SchemaRegistryClient registry) {
    this.type = type;
    this.registry = registry;
  }

  @Override
  @SuppressWarnings("unchecked")
  public void configure(Map<String, ?> configs, boolean isKey) {
    if (type == null) {
      String key = isKey ? SerdeConfig.SPECIFIC_AVRO_KEY_TYPE : SerdeConfig.SPECIFIC_AVRO_VALUE_TYPE;
      Object name = configs.get(key);
      if (name == null) {
        throw new IllegalArgumentException("Missing configuration \"" + key + "\": the generated class to decode into");
      }
      try {
        type = (Class<T>) (name instanceof Class<?> c ? c : Class.forName(name.toString()));
      } catch (ClassNotFoundException e) {
        throw new IllegalArgumentException("Invalid " + key + ": class " + name + " not found", e);
      }
    }
    if (registry == null) {
      registry = new SchemaRegistryClient(RegistryClientConfig.fromConfigs(configs));
    }
  }

  @Override
  public T deserialize(String topic, byte[] payload) {
    if (payload == null) {
      return null;
    }
    if (registry == null || type == null) {
      throw new IllegalStateException("AvroDeserializer used before configure()");
    }
    int id = WireFormat.schemaId(payload);
    SpecificDatumReader<T> reader = readers.computeIfAbsent(id, this::readerFor);
    try {
      BinaryDecoder decoder =
          DecoderFactory.get().binaryDecoder(payload, WireFormat.HEADER_SIZE, payload.length - WireFormat.HEADER_SIZE, null);
      T record = reader.read(null, decoder);
      if (!decoder.isEnd()) {
        throw new IOException((payload.length - WireFormat.HEADER_SIZE) + "-byte body has trailing bytes after the record");
      }
      return record;
    } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException | ClassCastException e) {
      throw new WireFormatException(
          WireFormatException.Reason.UNDECODABLE_BODY,
          "cannot decode " + type.getSimpleName() + " from topic " + topic + " with writer schema id " + id + ": " + e.getMessage(),
          e);
    }
  }

  private SpecificDatumReader<T> readerFor(int id) {
    Schema writer;
    try {
      writer = registry.schemaById(id);
    } catch (RegistryException e) {
      WireFormatException.Reason reason =
          SchemaRegistryClient.isNotFound(e) ? WireFormatException.Reason.UNKNOWN_SCHEMA_ID : WireFormatException.Reason.REGISTRY_UNAVAILABLE;
      throw new WireFormatException(reason, "writer schema id " + id + " is not available: " + e.getMessage(), e);
    }
    SpecificData model = SpecificData.getForClass(type);
    return new SpecificDatumReader<>(writer, model.getSchema(type), model);
  }
}
