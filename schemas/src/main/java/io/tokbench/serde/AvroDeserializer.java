package io.tokbench.serde;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.tokbench.registry.client.RegistryClientConfig;
import io.tokbench.registry.client.RegistryException;
import io.tokbench.registry.client.SchemaRegistryClient;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
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
 *
 * <p>Payloads are untrusted: the body is walked against its writer schema before decoding
 * ({@link AvroBodyCheck}), so no declared length is allocated before its bytes are seen; an id the
 * registry does not know is remembered as unknown for a minute, so junk ids do not each cost a
 * registry call; and both caches are bounded.
 */
public class AvroDeserializer<T extends SpecificRecord> implements Deserializer<T> {
  static final Duration UNKNOWN_ID_MEMORY = Duration.ofSeconds(60);
  private static final int MAX_CACHED_READERS = 1_000;
  private static final int MAX_REMEMBERED_UNKNOWN_IDS = 10_000;

  private SchemaRegistryClient registry;
  private Class<T> type;
  private final Cache<Integer, Reader<T>> readers = Caffeine.newBuilder().maximumSize(MAX_CACHED_READERS).build();
  private final Cache<Integer, WireFormatException> unknownIds =
      Caffeine.newBuilder().maximumSize(MAX_REMEMBERED_UNKNOWN_IDS).expireAfterWrite(UNKNOWN_ID_MEMORY).build();

  /** A writer schema and the reader that resolves it to the generated class. */
  private record Reader<T>(Schema writer, SpecificDatumReader<T> reader) {}

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
    Reader<T> reader = readerFor(id);
    int bodyLength = payload.length - WireFormat.HEADER_SIZE;
    AvroBodyCheck.check(reader.writer(), payload, WireFormat.HEADER_SIZE, bodyLength);
    try {
      BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(payload, WireFormat.HEADER_SIZE, bodyLength, null);
      return reader.reader().read(null, decoder);
    } catch (IOException | RuntimeException e) {
      Optional<String> badUuid = UuidFields.firstInvalid(reader.writer(), payload, WireFormat.HEADER_SIZE, bodyLength, SpecificData.get().getSchema(type));
      if (badUuid.isPresent()) {
        throw new WireFormatException(WireFormatException.Reason.INVALID_FIELD, badUuid.get(), e);
      }
      throw new WireFormatException(
          WireFormatException.Reason.UNDECODABLE_BODY,
          "the body (writer schema id " + id + ") does not resolve to " + type.getSimpleName() + ": " + ForPeople.describe(e),
          e);
    }
  }

  private Reader<T> readerFor(int id) {
    Reader<T> cached = readers.getIfPresent(id);
    if (cached != null) {
      return cached;
    }
    WireFormatException knownUnknown = unknownIds.getIfPresent(id);
    if (knownUnknown != null) {
      throw new WireFormatException(knownUnknown.reason(), knownUnknown.getMessage());
    }
    Schema writer;
    try {
      writer = registry.schemaById(id);
    } catch (RegistryException e) {
      if (SchemaRegistryClient.isNotFound(e)) {
        WireFormatException unknown = new WireFormatException(WireFormatException.Reason.UNKNOWN_SCHEMA_ID,
            "writer schema id " + id + " is not in the schema registry");
        unknownIds.put(id, unknown);
        throw unknown;
      }
      throw new WireFormatException(WireFormatException.Reason.REGISTRY_UNAVAILABLE, "writer schema id " + id + " could not be fetched: " + e.getMessage(), e);
    }
    SpecificData model = SpecificData.getForClass(type);
    Reader<T> reader = new Reader<>(writer, new SpecificDatumReader<>(writer, model.getSchema(type), model));
    readers.put(id, reader);
    return reader;
  }
}
