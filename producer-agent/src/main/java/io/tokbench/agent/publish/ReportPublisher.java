package io.tokbench.agent.publish;

import io.tokbench.agent.spool.Spool;
import io.tokbench.registry.client.RegistryClientConfig;
import io.tokbench.schema.BenchmarkReport;
import io.tokbench.serde.AvroSerializer;
import io.tokbench.serde.WireFormatException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Delivers spooled reports with an idempotent producer ({@code acks=all}). A report leaves the
 * spool only after the broker acknowledged it; the aggregator de-duplicates by report id, so a
 * report resent after a crash between acknowledgement and removal is counted once.
 */
public final class ReportPublisher {
  private final Map<String, Object> clientProperties;
  private final String topic;
  private final Duration deliveryTimeout;

  public ReportPublisher(Map<String, Object> clientProperties, String topic, Duration deliveryTimeout) {
    this.clientProperties = Map.copyOf(clientProperties);
    this.topic = topic;
    this.deliveryTimeout = deliveryTimeout;
  }

  /** Keyed by rig and model so one rig's reports for one model stay in order on one partition. */
  public static String key(BenchmarkReport report) {
    return report.getRigId() + "/" + report.getModel().getName();
  }

  /** Sends every spooled report, oldest first; stops at the first failure, leaving the rest spooled. */
  public DeliveryReport deliver(Spool spool) {
    List<Spool.Entry> entries = spool.list();
    if (entries.isEmpty()) {
      return new DeliveryReport(0, 0, Optional.empty());
    }
    int delivered = 0;
    try (KafkaProducer<String, BenchmarkReport> producer = producer()) {
      for (Spool.Entry entry : entries) {
        Optional<DeliveryFailure> failure = send(producer, entry.report());
        if (failure.isPresent()) {
          return new DeliveryReport(delivered, entries.size() - delivered, failure);
        }
        spool.remove(entry.file());
        delivered++;
      }
    } catch (RuntimeException e) {
      return new DeliveryReport(delivered, entries.size() - delivered, Optional.of(classify(e)));
    }
    return new DeliveryReport(delivered, 0, Optional.empty());
  }

  private Optional<DeliveryFailure> send(KafkaProducer<String, BenchmarkReport> producer, BenchmarkReport report) {
    try {
      producer.send(new ProducerRecord<>(topic, key(report), report)).get();
      return Optional.empty();
    } catch (ExecutionException e) {
      return Optional.of(classify(e.getCause()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.of(new DeliveryFailure(DeliveryFailure.Kind.UNREACHABLE, "interrupted"));
    } catch (RuntimeException e) {
      return Optional.of(classify(e));
    }
  }

  private DeliveryFailure classify(Throwable e) {
    if (e instanceof AuthenticationException) {
      return new DeliveryFailure(DeliveryFailure.Kind.AUTHENTICATION, "authentication failed: " + e.getMessage());
    }
    if (e instanceof AuthorizationException) {
      return new DeliveryFailure(DeliveryFailure.Kind.REFUSED, "not authorized: " + e.getMessage());
    }
    if (e instanceof TimeoutException) {
      return new DeliveryFailure(
          DeliveryFailure.Kind.UNREACHABLE,
          "Kafka at " + clientProperties.get("bootstrap.servers") + " did not answer within " + deliveryTimeout.toSeconds() + " s");
    }
    if (e instanceof WireFormatException w && w.reason() == WireFormatException.Reason.REGISTRY_UNAVAILABLE) {
      String message = w.getMessage();
      boolean refused = message.contains("HTTP 4");
      return new DeliveryFailure(
          refused ? DeliveryFailure.Kind.REFUSED : DeliveryFailure.Kind.UNREACHABLE,
          "schema registry at " + RegistryClientConfig.redacted(String.valueOf(clientProperties.get(RegistryClientConfig.URL))) + ": " + message);
    }
    return new DeliveryFailure(DeliveryFailure.Kind.REFUSED, e.getClass().getSimpleName() + ": " + e.getMessage());
  }

  private KafkaProducer<String, BenchmarkReport> producer() {
    Map<String, Object> config = new HashMap<>(clientProperties);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    config.put(ProducerConfig.CLIENT_ID_CONFIG, "tokbench-agent");
    long timeout = deliveryTimeout.toMillis();
    config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout);
    config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.max(1000, timeout / 2));
    config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) timeout);
    // The registry shares the same patience: a contributor offline should not wait minutes.
    config.putIfAbsent(RegistryClientConfig.READ_TIMEOUT_MS, String.valueOf(Math.max(1000, timeout / 2)));
    config.putIfAbsent(RegistryClientConfig.MAX_RETRIES, "1");
    AvroSerializer<BenchmarkReport> serializer = new AvroSerializer<>();
    serializer.configure(config, false);
    return new KafkaProducer<>(config, new StringSerializer(), serializer);
  }
}
