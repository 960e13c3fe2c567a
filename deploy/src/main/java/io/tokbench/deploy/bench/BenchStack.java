package io.tokbench.deploy.bench;

import io.tokbench.aggregator.app.AggregatorCommand;
import io.tokbench.aggregator.app.ConsumerGroupLag;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.TopicPartition;

/** One scenario's processes: the broker with the registry, then the aggregator; each in its own JVM. */
final class BenchStack implements AutoCloseable {
  /** Where the raw produce rate is measured: configured like tokbench.reports. */
  static final String RAW_TOPIC = "bench.raw";
  static final String APPLICATION_ID = "bench-aggregator";
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");
  private static final Pattern QUERY_LATENCY_BUCKET = Pattern.compile("^tokbench_query_latency_seconds_bucket\\{(.*)\\} (\\S+)$");
  private static final Pattern BUCKET_BOUND = Pattern.compile("le=\"([^\"]+)\"");

  private final Path dir;
  private final int partitions;
  private final List<String> jvmOptions;
  private final List<String> options;
  private final ChildJava broker;
  private final String bootstrap;
  private final String registry;
  private ChildJava aggregator;
  private String api;
  private String internal;
  private long rocksDbBound;

  /** What the aggregator's JVM holds. */
  record Memory(long heapUsedBytes, long residentBytes, long rocksDbBoundBytes, long rocksDbBlockCacheBytes, long rocksDbMemtableBytes) {}

  private BenchStack(Path dir, int partitions, List<String> jvmOptions, List<String> options, ChildJava broker, String bootstrap, String registry) {
    this.options = options;
    this.dir = dir;
    this.partitions = partitions;
    this.jvmOptions = jvmOptions;
    this.broker = broker;
    this.bootstrap = bootstrap;
    this.registry = registry;
  }

  static BenchStack start(Path dir, int partitions, List<String> aggregatorJvmOptions, List<String> aggregatorOptions) throws Exception {
    int kafka = BenchmarkCommand.freePort();
    ChildJava broker = ChildJava.start("broker", List.of("-Xmx1g"), BrokerProcess.class.getName(),
        List.of(dir.resolve("kafka").toString(), String.valueOf(kafka), String.valueOf(BenchmarkCommand.freePort()), String.valueOf(BenchmarkCommand.freePort())),
        dir.resolve("broker.log"));
    String[] ready = broker.awaitLine(line -> line.startsWith("READY "), Duration.ofMinutes(2)).split(" ");
    BenchStack stack = new BenchStack(dir, partitions, aggregatorJvmOptions, aggregatorOptions, broker, ready[1], ready[2]);
    BenchmarkCommand.createRawTopic(stack.bootstrap, partitions);
    return stack;
  }

  String bootstrapServers() {
    return bootstrap;
  }

  /**
   * Waits until the aggregator has read everything on the topics it consumes (its consumer group's
   * committed offsets at the partitions' ends: reports, retractions, the contributions and
   * calibration-points repartitions), so a measurement does not start inside the previous one's
   * backlog; returns how long that took, in nanos, or -1 after the timeout.
   */
  long awaitIdle(Duration timeout) throws Exception {
    long start = System.nanoTime();
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      while (System.nanoTime() - start < timeout.toNanos()) {
        java.util.Set<TopicPartition> committed = ConsumerGroupLag.committedPartitions(admin, APPLICATION_ID);
        if (!committed.isEmpty() && ConsumerGroupLag.behind(admin, APPLICATION_ID, committed).isEmpty()) {
          return System.nanoTime() - start;
        }
        Thread.sleep(200);
      }
    }
    return -1;
  }

  String registryUrl() {
    return registry;
  }

  String apiUrl() {
    return api;
  }

  /**
   * Runs the Kafka Streams floor ({@link StreamsFloor}) in its own JVM over what tokbench.reports
   * holds, until its counts account for every one of {@code reports}; returns the nanos from its
   * threads running to then, and stops it, so the aggregator measured next has the machine.
   */
  long runStreamsFloor(long reports, long commitIntervalMs) throws Exception {
    try (StatsWatcher counts = StatsWatcher.counts(bootstrap, StreamsFloor.COUNTS_TOPIC);
         // The aggregator's heap, not its other options: a flight recording or GC log of the floor would overwrite the aggregator's.
         ChildJava floor = ChildJava.start("streams-floor", jvmOptions.stream().filter(o -> o.startsWith("-Xm")).toList(), StreamsFloor.class.getName(),
             List.of(bootstrap, dir.resolve("floor-state").toString(), String.valueOf(partitions), String.valueOf(commitIntervalMs)),
             dir.resolve("streams-floor.log"))) {
      floor.awaitLine(line -> line.equals("RUNNING"), Duration.ofMinutes(3));
      long running = System.nanoTime();
      return counts.awaitAggregated(reports, Duration.ofMinutes(30), floor::isAlive, " (the Kafka Streams floor; see " + dir.resolve("streams-floor.log") + ")") - running;
    }
  }

  /** Starts the aggregator's real command and returns the moment it answered ready, in nanos. */
  long startAggregator() throws Exception {
    int port = BenchmarkCommand.freePort();
    int internalPort = BenchmarkCommand.freePort();
    rocksDbBound = 256L << 20;
    List<String> args = new java.util.ArrayList<>(List.of(
        "--bootstrap-servers", bootstrap, "--schema-registry-url", registry, "--application-id", APPLICATION_ID,
        "--http-host", "127.0.0.1", "--http-port", String.valueOf(port), "--internal-port", String.valueOf(internalPort), "--advertised-host", "127.0.0.1",
        "--state-dir", dir.resolve("state").toString(), "--partitions", String.valueOf(partitions), "--rate-limit", "0",
        "--rocksdb-memory", String.valueOf(rocksDbBound)));
    args.addAll(options);
    aggregator = ChildJava.start("aggregator", jvmOptions, AggregatorCommand.class.getName(), args, dir.resolve("aggregator.log"));
    api = "http://127.0.0.1:" + port;
    internal = "http://127.0.0.1:" + internalPort;
    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if (HTTP.send(HttpRequest.newBuilder(URI.create(internal + "/ready")).GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return System.nanoTime();
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(20);
    }
    throw new IllegalStateException("the aggregator was not ready within 3 minutes; see " + dir.resolve("aggregator.log"));
  }

  /**
   * The aggregator's own timer of answered {@code endpoint} queries (status 200) from its /metrics:
   * cumulative counts per bucket bound in seconds, as Prometheus exposes them. The timer runs from
   * the handler's start to the answer written, so it leaves out the network, queueing in the HTTP
   * server and the client's own stalls.
   */
  java.util.TreeMap<Double, Double> queryLatencyBuckets(String endpoint) throws Exception {
    java.util.TreeMap<Double, Double> buckets = new java.util.TreeMap<>();
    for (String line : metrics().split("\n")) {
      Matcher m = QUERY_LATENCY_BUCKET.matcher(line);
      if (!m.matches() || !m.group(1).contains("endpoint=\"" + endpoint + "\"") || !m.group(1).contains("status=\"200\"")) {
        continue;
      }
      Matcher le = BUCKET_BOUND.matcher(m.group(1));
      if (le.find()) {
        double bound = le.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le.group(1));
        buckets.merge(bound, Double.parseDouble(m.group(2)), Double::sum);
      }
    }
    return buckets;
  }

  /** The aggregator's /metrics, as Prometheus scrapes it. */
  private String metrics() throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(internal + "/metrics")).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
  }

  Memory aggregatorMemory() throws Exception {
    aggregator.jcmd("GC.run");
    Matcher used = HEAP_USED.matcher(aggregator.jcmd("GC.heap_info"));
    long heapUsed = used.find() ? Long.parseLong(used.group(1)) * 1024 : -1;
    long blockCache = -1;
    long memtables = -1;
    for (String line : metrics().split("\n")) {
      if (line.startsWith("#") || !line.contains(" ")) {
        continue;
      }
      double value;
      try {
        value = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      } catch (NumberFormatException e) {
        continue;
      }
      // Every store reports the one shared cache; memtables are each store's own.
      if (line.contains("block_cache_usage")) {
        blockCache = Math.max(blockCache, (long) value);
      } else if (line.contains("cur_size_all_mem_tables")) {
        memtables = Math.max(0, memtables) + (long) value;
      }
    }
    return new Memory(heapUsed, aggregator.residentBytes(), rocksDbBound, blockCache, memtables);
  }

  @Override
  public void close() throws Exception {
    if (aggregator != null) {
      aggregator.close();
    }
    broker.close();
  }
}
