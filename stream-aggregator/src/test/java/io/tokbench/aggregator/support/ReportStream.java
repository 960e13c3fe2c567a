package io.tokbench.aggregator.support;

import io.tokbench.aggregator.topology.Topics;
import io.tokbench.schema.BenchmarkReport;
import io.tokbench.serde.AvroSerializer;
import io.tokbench.testkit.KafkaStack;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A steady stream of reports into tokbench.reports, as a fleet of agents sends them: the agent's
 * record key, Confluent wire format (serialized before the stream starts, as agents that already
 * know the schema id), an idempotent producer with {@code acks=all}, spread evenly over a period
 * so faults land mid-stream.
 */
public final class ReportStream implements AutoCloseable {
  private final List<ProducerRecord<String, byte[]>> records;
  private final KafkaProducer<String, byte[]> producer;
  private final AtomicInteger acknowledged = new AtomicInteger();
  private final AtomicInteger sent = new AtomicInteger();
  private final AtomicReference<Exception> failure = new AtomicReference<>();
  private final CountDownLatch done = new CountDownLatch(1);
  private final Thread thread;

  private ReportStream(KafkaStack stack, List<BenchmarkReport> reports, Duration over) {
    AvroSerializer<BenchmarkReport> serializer = new AvroSerializer<>();
    serializer.configure(stack.clientConfig(), false);
    records = new ArrayList<>(reports.size());
    for (BenchmarkReport report : reports) {
      records.add(new ProducerRecord<>(Topics.REPORTS, report.getRigId() + "/" + report.getModel().getName(), serializer.serialize(Topics.REPORTS, report)));
    }
    producer = new KafkaProducer<>(java.util.Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
        ProducerConfig.LINGER_MS_CONFIG, 5,
        // Long enough to ride out a broker's loss and its partitions' new leaders.
        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 180_000), new StringSerializer(), new ByteArraySerializer());
    long pauseNanos = over.toNanos() / Math.max(1, records.size());
    thread = new Thread(() -> publish(pauseNanos), "report-stream");
    thread.setDaemon(true);
  }

  /** Starts publishing the reports, evenly spread over {@code over}. */
  public static ReportStream start(KafkaStack stack, List<BenchmarkReport> reports, Duration over) {
    ReportStream stream = new ReportStream(stack, reports, over);
    stream.thread.start();
    return stream;
  }

  /**
   * Valid reports of {@code rigs} rigs for {@code models} models (one statistics row each), rates
   * drawn at random; no rig reports a model more often than the aggregator keeps samples of.
   */
  public static List<BenchmarkReport> reports(int count, int rigs, int models, long seed) {
    Random random = new Random(seed);
    List<UUID> rigIds = new ArrayList<>();
    for (int i = 0; i < rigs; i++) {
      rigIds.add(new UUID(random.nextLong(), random.nextLong()));
    }
    Instant start = Instant.now().minus(Duration.ofDays(2));
    long spacingMillis = Duration.ofDays(1).toMillis() / count;
    List<BenchmarkReport> reports = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      BenchmarkReport report = TestReports.at(rigIds.get(random.nextInt(rigs)), 20 + random.nextInt(180) + random.nextInt(1000) / 1000.0,
          start.plusMillis(i * spacingMillis));
      report.setReportId(new UUID(random.nextLong(), random.nextLong()));
      reports.add(TestReports.forModel(report, "chaos-model-" + random.nextInt(models)));
    }
    return reports;
  }

  private void publish(long pauseNanos) {
    long next = System.nanoTime();
    try {
      for (ProducerRecord<String, byte[]> record : records) {
        long wait = next - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
        next += pauseNanos;
        producer.send(record, (metadata, e) -> {
          if (e != null) {
            failure.compareAndSet(null, e);
          } else {
            acknowledged.incrementAndGet();
          }
        });
        sent.incrementAndGet();
      }
      producer.flush();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      failure.compareAndSet(null, e);
    } finally {
      done.countDown();
    }
  }

  public int size() {
    return records.size();
  }

  /** Reports handed to the producer so far. */
  public int sent() {
    return sent.get();
  }

  /** Waits until every report is acknowledged by the brokers; throws if one could not be delivered. */
  public void awaitAcknowledged(Duration timeout) throws InterruptedException {
    if (!done.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException("the stream did not finish within " + timeout + ": " + sent.get() + " of " + records.size() + " sent");
    }
    if (failure.get() != null) {
      throw new IllegalStateException("a report could not be delivered: " + failure.get(), failure.get());
    }
    if (acknowledged.get() != records.size()) {
      throw new IllegalStateException(acknowledged.get() + " of " + records.size() + " reports acknowledged");
    }
  }

  @Override
  public void close() {
    thread.interrupt();
    producer.close(Duration.ofSeconds(10));
  }
}
