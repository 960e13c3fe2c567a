package io.tokbench.deploy.demo;

import io.tokbench.aggregator.topology.Topics;
import io.tokbench.registry.client.RegistryClientConfig;
import io.tokbench.schema.BenchmarkReport;
import io.tokbench.serde.AvroSerializer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes reports to tokbench.reports exactly as agents do: Confluent wire format, the agent's
 * record key, acknowledged by every in-sync replica.
 */
final class ReportSender implements AutoCloseable {
  static final String TOPIC = Topics.REPORTS;

  private final KafkaProducer<String, byte[]> producer;
  private final AvroSerializer<BenchmarkReport> serializer = new AvroSerializer<>();

  ReportSender(String bootstrapServers, String registryUrl) {
    serializer.configure(Map.of(RegistryClientConfig.URL, registryUrl), false);
    producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
        ProducerConfig.LINGER_MS_CONFIG, 20), new StringSerializer(), new ByteArraySerializer());
  }

  Future<RecordMetadata> send(BenchmarkReport report) {
    return producer.send(new ProducerRecord<>(TOPIC, DemoFleet.key(report), serializer.serialize(TOPIC, report)));
  }

  /** A payload as it is, malformed or not. */
  Future<RecordMetadata> send(String key, byte[] payload) {
    return producer.send(new ProducerRecord<>(TOPIC, key, payload));
  }

  /** Waits until the broker acknowledged every record sent. */
  void awaitAcknowledged(List<Future<RecordMetadata>> sent) {
    producer.flush();
    try {
      for (Future<RecordMetadata> ack : sent) {
        ack.get(30, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("the broker did not acknowledge the reports: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
  }
}
