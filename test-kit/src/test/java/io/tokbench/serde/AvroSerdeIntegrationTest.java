package io.tokbench.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tokbench.registry.client.RegistryClientConfig;
import io.tokbench.registry.client.SchemaRegistryClient;
import io.tokbench.schema.BenchmarkReport;
import io.tokbench.testkit.KafkaStack;
import io.tokbench.testkit.SampleReports;
import io.tokbench.testkit.TopicReader;
import io.tokbench.testkit.WithKafkaStack;
import java.io.IOException;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.common.serialization.Serializer;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The serde through a real broker and registry: what a producer writes, a consumer reads back
 * field for field; and the Confluent wire format lets readers and writers of different schema
 * versions talk.
 */
@WithKafkaStack
class AvroSerdeIntegrationTest {
  private final KafkaStack stack;

  AvroSerdeIntegrationTest(KafkaStack stack) {
    this.stack = stack;
  }

  private <V> KafkaProducer<String, V> producer(Serializer<V> serializer) {
    Map<String, Object> config = new HashMap<>(stack.clientConfig());
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    serializer.configure(config, false);
    return new KafkaProducer<>(config, new StringSerializer(), serializer);
  }

  private List<BenchmarkReport> consume(String topic, int expected) {
    return TopicReader.values(stack.clientConfig(), topic, new AvroDeserializer<>(BenchmarkReport.class), expected, Duration.ofSeconds(30));
  }

  @Test
  void aFullReportRoundTripsThroughTheBrokerFieldForField() throws Exception {
    BenchmarkReport sent = SampleReports.rtx4090(UUID.randomUUID(), Instant.now().truncatedTo(ChronoUnit.MILLIS));
    try (KafkaProducer<String, BenchmarkReport> producer = producer(new AvroSerializer<>())) {
      producer.send(new ProducerRecord<>("roundtrip.reports", sent.getRigId().toString(), sent)).get();
    }

    assertThat(consume("roundtrip.reports", 1)).containsExactly(sent);
    SchemaRegistryClient registry = new SchemaRegistryClient(RegistryClientConfig.of(stack.registryUrl()));
    assertThat(registry.latest("roundtrip.reports-value").schema()).isEqualTo(BenchmarkReport.getClassSchema());
  }

  @Test
  void aReportWrittenWithSchemaVersion1IsReadByTheCurrentReader() throws Exception {
    Schema v1 = historySchema("BenchmarkReport", 1);
    BenchmarkReport current = SampleReports.rtx4090(UUID.randomUUID(), Instant.now().truncatedTo(ChronoUnit.MILLIS));
    GenericRecord old = asV1(current, v1);

    try (KafkaProducer<String, GenericRecord> producer = producer(new AvroSerializer<GenericRecord>())) {
      producer.send(new ProducerRecord<>("v1.reports", "rig", old)).get();
    }
    BenchmarkReport read = consume("v1.reports", 1).get(0);

    assertThat(read.getReportId()).isEqualTo(current.getReportId());
    assertThat(read.getHardware()).isEqualTo(current.getHardware());
    assertThat(read.getRepetitions()).isEqualTo(current.getRepetitions());
    assertThat(read.getSummary().getGenerationTokensPerSecondMedian()).isEqualTo(current.getSummary().getGenerationTokensPerSecondMedian());
    // Fields added in version 2 take their defaults.
    assertThat(read.getModel().getArchitecture()).isNull();
    assertThat(read.getSummary().getGenerationTokensPerSecondStddev()).isNull();
    assertThat(read.getFlags().getNoisy()).isFalse();
    assertThat(read.getPower()).isNull();
    assertThat(read.getSchemaVersion()).isEqualTo(1);
  }

  @Test
  void aReportFromANewerAgentWithAnExtraFieldIsReadByTheCurrentReader() throws Exception {
    Schema current = BenchmarkReport.getClassSchema();
    List<Schema.Field> fields = new ArrayList<>();
    for (Schema.Field field : current.getFields()) {
      fields.add(new Schema.Field(field, field.schema()));
    }
    fields.add(new Schema.Field("futureField", Schema.create(Schema.Type.STRING), "added by a future agent", "none"));
    Schema future = Schema.createRecord(current.getName(), current.getDoc(), current.getNamespace(), false, fields);

    BenchmarkReport report = SampleReports.rtx4090(UUID.randomUUID(), Instant.now().truncatedTo(ChronoUnit.MILLIS));
    GenericData.Record newer = new GenericData.Record(future);
    GenericData.Record asGeneric = (GenericData.Record) GenericData.get().deepCopy(current, toGeneric(report));
    for (Schema.Field field : current.getFields()) {
      newer.put(field.name(), asGeneric.get(field.name()));
    }
    newer.put("futureField", "hello from the future");

    try (KafkaProducer<String, GenericRecord> producer = producer(new AvroSerializer<GenericRecord>())) {
      producer.send(new ProducerRecord<>("future.reports", "rig", newer)).get();
    }
    assertThat(consume("future.reports", 1)).containsExactly(report);
  }

  @Test
  void aPayloadWithAnUnknownSchemaIdIsReportedAsSuch() {
    AvroDeserializer<BenchmarkReport> deserializer = new AvroDeserializer<>(BenchmarkReport.class);
    deserializer.configure(stack.clientConfig(), false);
    byte[] payload = ByteBuffer.allocate(9).put((byte) 0).putInt(424242).putInt(7).array();

    assertThatThrownBy(() -> deserializer.deserialize("any", payload))
        .isInstanceOfSatisfying(WireFormatException.class, e -> assertThat(e.reason()).isEqualTo(WireFormatException.Reason.UNKNOWN_SCHEMA_ID))
        .hasMessageContaining("424242");
  }

  @Test
  void garbageAfterAValidHeaderIsUndecodable() throws Exception {
    BenchmarkReport report = SampleReports.rtx4090(UUID.randomUUID(), Instant.now().truncatedTo(ChronoUnit.MILLIS));
    AvroSerializer<BenchmarkReport> serializer = new AvroSerializer<>();
    serializer.configure(stack.clientConfig(), false);
    byte[] valid = serializer.serialize("garbage.reports", report);
    byte[] truncated = Arrays.copyOf(valid, 40);

    AvroDeserializer<BenchmarkReport> deserializer = new AvroDeserializer<>(BenchmarkReport.class);
    deserializer.configure(stack.clientConfig(), false);
    assertThat(deserializer.deserialize("garbage.reports", valid)).isEqualTo(report);
    assertThatThrownBy(() -> deserializer.deserialize("garbage.reports", truncated))
        .isInstanceOfSatisfying(WireFormatException.class, e -> assertThat(e.reason()).isEqualTo(WireFormatException.Reason.UNDECODABLE_BODY));
  }

  @Test
  void withoutAutoRegisterAnUnregisteredSchemaFailsNamingTheSubject() {
    AvroSerializer<BenchmarkReport> serializer = new AvroSerializer<>();
    Map<String, Object> config = new HashMap<>(stack.clientConfig());
    config.put(SerdeConfig.AUTO_REGISTER_SCHEMAS, "false");
    serializer.configure(config, false);
    BenchmarkReport report = SampleReports.rtx4090(UUID.randomUUID(), Instant.now());

    assertThatThrownBy(() -> serializer.serialize("unregistered.reports", report))
        .isInstanceOf(WireFormatException.class)
        .hasMessageContaining("unregistered.reports-value")
        .hasMessageContaining("40401");
  }

  private static GenericRecord toGeneric(BenchmarkReport report) throws IOException {
    // Serialize with the specific model and read back generically: the exact bytes an agent sends.
    DatumWriter<BenchmarkReport> writer = new SpecificDatumWriter<>(BenchmarkReport.class);
    ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    writer.write(report, encoder);
    encoder.flush();
    return new GenericDatumReader<GenericRecord>(BenchmarkReport.getClassSchema())
        .read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));
  }

  /** The same report as an agent built against schema version 1 would have written it. */
  private static GenericRecord asV1(BenchmarkReport report, Schema v1) throws IOException {
    GenericRecord current = toGeneric(report);
    GenericDatumWriter<GenericRecord> writer = new GenericDatumWriter<>(current.getSchema());
    ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    writer.write(current, encoder);
    encoder.flush();
    // Resolve current → v1 (v2 is FULL compatible, so v1 readers drop the new fields).
    GenericRecord old =
        new GenericDatumReader<GenericRecord>(current.getSchema(), v1)
            .read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));
    return new GenericRecordBuilder((GenericData.Record) old).set("schemaVersion", 1).build();
  }

  private static Schema historySchema(String name, int version) throws IOException {
    String resource = "/schema-history/" + name + "/v" + version + ".avsc";
    try (InputStream in = AvroSerdeIntegrationTest.class.getResourceAsStream(resource)) {
      assertThat(in).as(resource).isNotNull();
      return new Schema.Parser().parse(in);
    }
  }
}
