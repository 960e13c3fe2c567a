package io.tokbench.deploy.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokbench.registry.client.RegistryClientConfig;
import io.tokbench.registry.client.SchemaRegistryClient;
import io.tokbench.schema.BenchmarkReport;
import io.tokbench.serde.AvroDeserializer;
import io.tokbench.serde.AvroSerializer;
import io.tokbench.testkit.FreePorts;
import io.tokbench.testkit.SampleReports;
import io.tokbench.testkit.TopicReader;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local stack is real and durable: what was published before a restart is there after it. */
class LocalStackTest {

  @Test
  void reportsAndSchemaIdsSurviveARestart(@TempDir Path dataDir) throws Exception {
    LocalStack.Config config = new LocalStack.Config(dataDir, "localhost", FreePorts.next(), FreePorts.next(), FreePorts.next(), FreePorts.next());
    BenchmarkReport report = SampleReports.rtx4090(UUID.randomUUID(), Instant.now().truncatedTo(ChronoUnit.MILLIS));
    int schemaId;

    try (LocalStack stack = LocalStack.start(config)) {
      assertThat(stack.bootstrapServers()).isEqualTo("localhost:" + config.kafkaPort());
      assertThat(stack.registryUrl()).isEqualTo("http://localhost:" + config.registryPort());
      try (KafkaProducer<String, BenchmarkReport> producer = producer(stack)) {
        producer.send(new ProducerRecord<>("tokbench.reports", report.getRigId().toString(), report)).get();
      }
      schemaId = new SchemaRegistryClient(RegistryClientConfig.of(stack.registryUrl())).latest("tokbench.reports-value").id();
    }

    try (LocalStack restarted = LocalStack.start(config)) {
      assertThat(consumeAll(restarted, "tokbench.reports", 1)).containsExactly(report);
      // The aggregator of the stack saw the report too, before and after the restart.
      assertThat(restarted.aggregator().awaitRunning(java.time.Duration.ofSeconds(60))).isTrue();
      assertThat(awaitRows(restarted.apiUrl() + "/api/v1/stats")).contains("\"rigCount\":1");
      SchemaRegistryClient registry = new SchemaRegistryClient(RegistryClientConfig.of(restarted.registryUrl()));
      assertThat(registry.latest("tokbench.reports-value").id()).isEqualTo(schemaId);
      assertThat(registry.schemaById(schemaId)).isEqualTo(BenchmarkReport.getClassSchema());
    }
  }

  private static KafkaProducer<String, BenchmarkReport> producer(LocalStack stack) {
    Map<String, Object> config = new HashMap<>(Map.of("bootstrap.servers", stack.bootstrapServers(), "schema.registry.url", stack.registryUrl()));
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    AvroSerializer<BenchmarkReport> serializer = new AvroSerializer<>();
    serializer.configure(config, false);
    return new KafkaProducer<>(config, new StringSerializer(), serializer);
  }

  private static List<BenchmarkReport> consumeAll(LocalStack stack, String topic, int expected) {
    Map<String, Object> config = Map.of("bootstrap.servers", stack.bootstrapServers(), "schema.registry.url", stack.registryUrl());
    return TopicReader.values(config, topic, new AvroDeserializer<>(BenchmarkReport.class), expected, Duration.ofSeconds(30));
  }

  private static String awaitRows(String url) throws Exception {
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    String body = "";
    for (int attempt = 0; attempt < 150 && !body.contains("\"total\":1"); attempt++) {
      body = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
      Thread.sleep(200);
    }
    return body;
  }

}
