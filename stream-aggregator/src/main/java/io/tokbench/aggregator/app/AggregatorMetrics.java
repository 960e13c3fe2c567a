package io.tokbench.aggregator.app;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The aggregator's metrics, through Micrometer's Prometheus registry: reports accepted and rejected
 * by reason, stream-thread replacements, query latency per endpoint, and (once {@link #bind} has
 * run) every Kafka Streams metric (including RocksDB's properties per store), JVM and process
 * metrics. Counters start at zero with the process, as Prometheus expects.
 */
public final class AggregatorMetrics implements AutoCloseable {
  /** Query latency buckets (seconds): from a cached store read to a slow cross-instance gather. */
  private static final Duration[] LATENCY_BUCKETS = java.util.stream.DoubleStream.of(0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
      .mapToObj(s -> Duration.ofNanos((long) (s * 1e9))).toArray(Duration[]::new);
  /** How often Kafka Streams' metric set is re-read: stores and threads come and go with rebalances. */
  private static final Duration STREAMS_METRICS_REFRESH = Duration.ofSeconds(10);

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Counter accepted = Counter.builder("tokbench.reports.accepted")
      .description("Reports that passed validation (since this process started)").register(registry);
  private final Map<String, Counter> rejected = new ConcurrentHashMap<>();
  private final Counter duplicates = Counter.builder("tokbench.reports.duplicates")
      .description("Reports whose id was already counted, dropped (the agent's spool resends after a crash)").register(registry);
  private final Counter threadReplacements = Counter.builder("tokbench.stream.thread.replacements")
      .description("Stream threads that failed and were replaced (since this process started)").register(registry);
  private final AtomicReference<Instant> lastThreadReplacement = new AtomicReference<>();
  private final Map<String, Timer> queryTimers = new ConcurrentHashMap<>();
  private final List<AutoCloseable> bound = new ArrayList<>();
  private ScheduledExecutorService scheduler;

  /** A report passed validation. Called by the validate processor. */
  public void accepted() {
    accepted.increment();
  }

  /** A report was refused with this reason code. Called by the validate processor. */
  public void rejected(String reasonCode) {
    rejected.computeIfAbsent(reasonCode, reason -> Counter.builder("tokbench.reports.rejected")
        .description("Reports refused, by reason code (since this process started)").tag("reason", reason).register(registry)).increment();
  }

  /** A report id already counted came again. Called by the aggregate processor. */
  public void duplicate() {
    duplicates.increment();
  }

  public long acceptedCount() {
    return (long) accepted.count();
  }

  public long duplicateCount() {
    return (long) duplicates.count();
  }

  /** Reports refused so far, by reason code. */
  public Map<String, Long> rejectedCounts() {
    Map<String, Long> counts = new java.util.TreeMap<>();
    rejected.forEach((reason, counter) -> counts.put(reason, (long) counter.count()));
    return counts;
  }

  public long threadReplacementCount() {
    return (long) threadReplacements.count();
  }

  /**
   * A stream thread failed and Kafka Streams is replacing it. Call it from the uncaught-exception
   * handler when it answers REPLACE_THREAD; readiness stays false for a while after it.
   */
  public void threadReplaced() {
    threadReplacements.increment();
    lastThreadReplacement.set(Instant.now());
  }

  /** When a stream thread was last replaced, or null if never. */
  public Instant lastThreadReplacement() {
    return lastThreadReplacement.get();
  }

  /**
   * One answered request: its endpoint (the route's path template, so ids do not multiply the
   * series), its status code and how long it took.
   */
  public void query(String endpoint, int status, long nanos) {
    queryTimers.computeIfAbsent(endpoint + " " + status, k -> Timer.builder("tokbench.query.latency")
        .description("Time to answer an HTTP request, by endpoint and status")
        .tags(List.of(Tag.of("endpoint", endpoint), Tag.of("status", String.valueOf(status))))
        .serviceLevelObjectives(LATENCY_BUCKETS)
        .register(registry)).record(nanos, TimeUnit.NANOSECONDS);
  }

  /** Binds Kafka Streams' metrics (threads, tasks, stores with RocksDB's properties, clients) and the JVM's. */
  public synchronized void bind(KafkaStreams streams) {
    scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "metrics-refresh");
      t.setDaemon(true);
      return t;
    });
    KafkaStreamsMetrics streamsMetrics = new KafkaStreamsMetrics(streams, List.of(), scheduler, STREAMS_METRICS_REFRESH);
    JvmGcMetrics gc = new JvmGcMetrics();
    for (MeterBinder binder : List.of(streamsMetrics, gc, new JvmMemoryMetrics(), new JvmThreadMetrics(), new ClassLoaderMetrics(),
        new JvmInfoMetrics(), new ProcessorMetrics(), new UptimeMetrics(), new FileDescriptorMetrics())) {
      binder.bindTo(registry);
    }
    bound.add(streamsMetrics);
    bound.add(gc);
  }

  /** Every meter in Prometheus text format 0.0.4, with TYPE and HELP lines. */
  public String scrape() {
    return registry.scrape();
  }

  @Override
  public synchronized void close() {
    for (AutoCloseable binder : bound) {
      try {
        binder.close();
      } catch (Exception ignored) {
        // closing a metrics binder cannot fail in a way worth reporting at shutdown
      }
    }
    bound.clear();
    if (scheduler != null) {
      scheduler.shutdownNow();
    }
    registry.close();
  }
}
