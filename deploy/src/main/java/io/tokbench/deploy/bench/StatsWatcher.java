package io.tokbench.deploy.bench;

import io.tokbench.aggregator.topology.Topics;
import io.tokbench.schema.StatsKey;
import io.tokbench.schema.StatsRow;
import io.tokbench.serde.AvroDeserializer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.ToLongFunction;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads tokbench.stats as any downstream consumer would (committed transactions only) and keeps
 * each row's latest report count: their sum is the number of reports aggregated, which is what the
 * benchmark counts (not rows, which the first report of each key already makes). The Kafka Streams
 * floor's counts per key are read the same way.
 */
final class StatsWatcher implements AutoCloseable {
  private final Map<String, Long> reportCounts = new ConcurrentHashMap<>();
  private final AtomicLong aggregated = new AtomicLong();
  /** When the sum of report counts grew, and to what: the steps of {@link #aggregated}. */
  private final List<long[]> growth = java.util.Collections.synchronizedList(new ArrayList<>());
  private final Thread thread;
  private volatile boolean running = true;

  StatsWatcher(String bootstrap, String registryUrl) {
    this(bootstrap, Topics.STATS, avro(StatsKey.class, registryUrl, true), avro(StatsRow.class, registryUrl, false),
        row -> row == null ? 0 : row.getReportCount());
  }

  /** The same sum over another topic of counts per key: the Kafka Streams floor's output. */
  static StatsWatcher counts(String bootstrap, String topic) {
    return new StatsWatcher(bootstrap, topic, new StringDeserializer(), new LongDeserializer(), count -> count == null ? 0 : count);
  }

  private <K, V> StatsWatcher(String bootstrap, String topic, Deserializer<K> keys, Deserializer<V> values, ToLongFunction<V> reportCount) {
    Map<String, Object> config = new HashMap<>();
    config.put("bootstrap.servers", bootstrap);
    config.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-watcher-" + UUID.randomUUID());
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
    KafkaConsumer<K, V> consumer = new KafkaConsumer<>(config, keys, values);
    consumer.subscribe(List.of(topic));
    thread = new Thread(() -> {
      try (consumer) {
        while (running) {
          for (ConsumerRecord<K, V> record : consumer.poll(Duration.ofMillis(50))) {
            long now = System.nanoTime();
            String key = String.valueOf(record.key());
            long count = reportCount.applyAsLong(record.value());
            Long before = reportCounts.put(key, count);
            long total = aggregated.addAndGet(count - (before == null ? 0 : before));
            growth.add(new long[] {now, total});
          }
        }
      }
    }, "stats-watcher");
    thread.setDaemon(true);
    thread.start();
  }

  long aggregated() {
    return aggregated.get();
  }

  /** The report count of every row of models whose name starts with the prefix. */
  Map<String, Long> rowsOf(String modelPrefix) {
    Map<String, Long> rows = new HashMap<>();
    reportCounts.forEach((key, count) -> {
      if (key.contains("\"model\": \"raw:" + modelPrefix)) {
        rows.put(key, count);
      }
    });
    return rows;
  }

  /** For each of base + 1 … base + n: the first time the sum of report counts reached it, in nanos (-1: not yet). */
  long[] nanosWhenAggregated(long base, int n) {
    long[] when = new long[n];
    java.util.Arrays.fill(when, -1);
    int next = 0;
    synchronized (growth) {
      for (long[] step : growth) {
        while (next < n && step[1] >= base + next + 1) {
          when[next++] = step[0];
        }
      }
    }
    return when;
  }

  /** Waits until at least {@code reports} reports are aggregated; the time it happened, in nanos. */
  long awaitAggregated(long reports, Duration timeout) throws InterruptedException {
    return awaitAggregated(reports, timeout, () -> true, "");
  }

  /**
   * The same, giving up as soon as {@code producing} turns false (the process writing the topic
   * stopped: the counts will not come); {@code log} is said where to look then.
   */
  long awaitAggregated(long reports, Duration timeout, BooleanSupplier producing, String log) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (aggregated.get() < reports) {
      if (!producing.getAsBoolean() || System.nanoTime() > deadline) {
        throw new IllegalStateException("only " + aggregated.get() + " of " + reports + " reports counted, "
            + (producing.getAsBoolean() ? "after " + timeout.toSeconds() + " s" : "and the process writing them stopped") + log);
      }
      Thread.sleep(20);
    }
    return System.nanoTime();
  }

  private static <T extends org.apache.avro.specific.SpecificRecord> AvroDeserializer<T> avro(Class<T> type, String registryUrl, boolean isKey) {
    AvroDeserializer<T> deserializer = new AvroDeserializer<>(type);
    deserializer.configure(Map.of("schema.registry.url", registryUrl), isKey);
    return deserializer;
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.join(5_000);
  }
}
