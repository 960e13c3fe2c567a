package io.tokbench.deploy.bench;

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
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * Reads tokbench.stats as any downstream consumer would (committed transactions only) and keeps
 * each row's latest report count: their sum is the number of reports aggregated, which is what the
 * benchmark counts (not rows, which the first report of each key already makes).
 */
final class StatsWatcher implements AutoCloseable {
  private final Map<String, Long> reportCounts = new ConcurrentHashMap<>();
  private final AtomicLong aggregated = new AtomicLong();
  /** When the sum of report counts grew, and to what: the steps of {@link #aggregated}. */
  private final List<long[]> growth = java.util.Collections.synchronizedList(new ArrayList<>());
  private final Thread thread;
  private volatile boolean running = true;

  StatsWatcher(String bootstrap, String registryUrl) {
    Map<String, Object> config = new HashMap<>();
    config.put("bootstrap.servers", bootstrap);
    config.put("schema.registry.url", registryUrl);
    config.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-watcher-" + UUID.randomUUID());
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
    AvroDeserializer<StatsKey> keys = new AvroDeserializer<>(StatsKey.class);
    keys.configure(config, true);
    AvroDeserializer<StatsRow> rows = new AvroDeserializer<>(StatsRow.class);
    rows.configure(config, false);
    KafkaConsumer<StatsKey, StatsRow> consumer = new KafkaConsumer<>(config, keys, rows);
    consumer.subscribe(List.of("tokbench.stats"));
    thread = new Thread(() -> {
      try (consumer) {
        while (running) {
          for (ConsumerRecord<StatsKey, StatsRow> record : consumer.poll(Duration.ofMillis(50))) {
            long now = System.nanoTime();
            String key = record.key().toString();
            long count = record.value() == null ? 0 : record.value().getReportCount();
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
    long deadline = System.nanoTime() + timeout.toNanos();
    while (aggregated.get() < reports) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("only " + aggregated.get() + " of " + reports + " reports aggregated after " + timeout.toSeconds() + " s");
      }
      Thread.sleep(20);
    }
    return System.nanoTime();
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.join(5_000);
  }
}
