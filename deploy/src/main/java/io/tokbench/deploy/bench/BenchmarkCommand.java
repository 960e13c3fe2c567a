package io.tokbench.deploy.bench;

import io.tokbench.aggregator.app.AggregatorCommand;
import io.tokbench.aggregator.app.ShortUsageErrors;
import io.tokbench.aggregator.topology.TopicInitializer;
import io.tokbench.aggregator.topology.Topics;
import io.tokbench.normalize.OrderStatistics;
import io.tokbench.schema.Retraction;
import io.tokbench.serde.AvroSerializer;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Utils;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tokbench-benchmark}: the aggregator's throughput, latency and memory, measured against raw
 * Kafka on the same machine in the same run. Three processes per scenario: a broker with the
 * registry, the aggregator (its real command, one stream thread per core, exactly-once), and this
 * one, which generates the load, measures and prints.
 */
@Command(
    name = "tokbench-benchmark",
    mixinStandardHelpOptions = true,
    version = "tokbench 0.1.0",
    description = {
      "Measures the aggregator on this machine against what Kafka itself does here, in one run.",
      "For each scenario a fresh broker (with the registry) and a fresh aggregator start in their own",
      "JVMs; this JVM first produces the scenario's reports to a scratch topic (acks=all, idempotent,",
      "lz4: the raw produce rate, timed after a warm-up over at least 200,000 records), then the same",
      "reports to tokbench.reports, times a minimal exactly-once Kafka Streams application over them (the",
      "floor: what the framework itself does here), then starts the aggregator and times it from ready until tokbench.stats",
      "accounts for every report (the sum of the rows'",
      "report counts, read as a downstream consumer reads it). The ratio of the two rates is the",
      "figure that carries across machines.",
      "Scenarios: a) reports over 10,000 keys from 2,000 rigs; b) every report a new key;",
      "c) one hot key from 10,000 rigs; d) retracting a rig with 1,000 reports across 100 keys.",
      "After (a): end-to-end latency at half the sustained rate, and API latency with 64 clients, at",
      "saturation (each client sends when answered) and at half that rate (on a schedule).",
      "Then heap and RocksDB memory with --memory-keys keys."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:measured (and, with --min-ratio, above it)", "1:a ratio fell below --min-ratio, or a run failed", "2:bad option"})
public final class BenchmarkCommand implements Callable<Integer> {
  @Option(names = "--scenarios", split = ",", description = "Which scenarios: a, b, c, d (default: ${DEFAULT-VALUE}).")
  List<String> scenarios = List.of("a", "b", "c", "d");

  @Option(names = "--reports", description = "Reports per scenario a, b and c (default: ${DEFAULT-VALUE}).")
  int reports = 100_000;

  @Option(names = "--memory-keys", description = "Distinct keys for the memory measurement; 0 skips it (default: ${DEFAULT-VALUE}).")
  int memoryKeys = 1_000_000;

  @Option(names = "--latency-seconds", description = "How long end-to-end and API latency are measured; 0 skips both (default: ${DEFAULT-VALUE}).")
  int latencySeconds = 20;

  /** The raw produce rate is timed over at least this many records (the scenario's payloads repeated). */
  static final int RAW_RECORDS = 200_000;

  @Option(names = "--latency-rate", description = "Reports/s sent while measuring end-to-end latency (default: half the sustained rate of (a)).")
  Double latencyRate;

  @Option(names = "--latency-timeline", description = "Also print the end-to-end latency over the run (about 60 points): periodic stalls show as spikes.")
  boolean latencyTimeline;

  @Option(names = "--api-rate", description = "Queries/s the 64 API clients send between them for the paced latency (default: half the rate they reach at saturation).")
  Double apiRate;

  @Option(names = "--partitions", description = "Partitions of every topic (default: ${DEFAULT-VALUE}).")
  int partitions = 4;

  @Option(names = "--aggregator-heap", description = "-Xmx of the aggregator's JVM (default: ${DEFAULT-VALUE}).")
  String aggregatorHeap = "1g";

  @Option(names = "--aggregator-option", description = "Extra option for the aggregator's command line, e.g. --commit-interval=500 (repeatable).")
  List<String> aggregatorOptions = new ArrayList<>();

  @Option(names = "--aggregator-jvm-option", description = "Extra JVM option for the aggregator, e.g. -XX:StartFlightRecording=filename=a.jfr (repeatable).")
  List<String> aggregatorJvmOptions = new ArrayList<>();

  @Option(names = "--work-dir", description = "Data, state and logs of the runs (default: a new temporary directory).")
  Path workDir;

  @Option(names = "--streams-floor", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Also time a minimal exactly-once Kafka Streams application over each of a, b and c's reports (re-partition by model, count per key in a store), "
          + "what the framework itself does here; --no-streams-floor skips it (default: ${DEFAULT-VALUE}).")
  boolean streamsFloor = true;

  @Option(names = "--min-ratio", description = "Fail (exit 1) when scenario a's or c's ratio to raw Kafka is below this: the regression guard.")
  Double minRatio;

  /** What one scenario measured. */
  /** @param floorPerSecond the Kafka Streams floor's rate over the same reports; NaN when not measured */
  public record Result(String scenario, long reports, double rawPerSecond, double floorPerSecond, double aggregatedPerSecond) {
    public double ratio() {
      return aggregatedPerSecond / rawPerSecond;
    }
  }

  private final List<Result> results = new ArrayList<>();
  private final List<ApiLoad.Figures> apiFigures = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();

  public List<Result> results() {
    return results;
  }

  /** The API's figures of the run, if it measured them: at saturation, then at the fixed rate. */
  List<ApiLoad.Figures> apiFigures() {
    return apiFigures;
  }

  @Override
  public Integer call() throws Exception {
    // A directory of our own making is removed scenario by scenario once it has served (a run leaves
    // up to a gigabyte of broker logs and RocksDB state); one the user named is theirs to keep, and
    // so is ours when a scenario failed or the guard did, for its logs.
    boolean temporary = workDir == null;
    if (temporary) {
      workDir = Files.createTempDirectory("tokbench-benchmark");
    }
    System.out.printf("tokbench benchmark: %d cores, %d partitions, aggregator -Xmx%s, work dir %s%n",
        Runtime.getRuntime().availableProcessors(), partitions, aggregatorHeap, workDir);
    for (String scenario : scenarios) {
      switch (scenario) {
        case "a" -> throughput("a", reports + " reports over 10,000 keys from 2,000 rigs", reports, Math.min(10_000, reports), 2_000, latencySeconds > 0);
        case "b" -> throughput("b", reports + " reports, every one a new key", reports, reports, 2_000, false);
        case "c" -> throughput("c", reports + " reports on one hot key from 10,000 rigs", reports, 1, 10_000, false);
        case "d" -> retraction();
        default -> throw new CommandLine.ParameterException(new CommandLine(this), "unknown scenario '" + scenario + "': use a, b, c or d");
      }
      if (temporary && results.stream().noneMatch(this::failsGuard)) {
        discard(workDir.resolve(scenario));
      }
    }
    if (memoryKeys > 0) {
      memory();
    }
    print();
    for (Result result : results) {
      if (failsGuard(result)) {
        System.out.printf("FAIL: scenario %s aggregated at %.4f× raw Kafka, below the guard's %.4f×; logs kept in %s%n", result.scenario(),
            result.ratio(), minRatio, workDir);
        return 1;
      }
    }
    if (temporary) {
      discard(workDir);
    }
    return 0;
  }

  private boolean failsGuard(Result result) {
    return minRatio != null && (result.scenario().equals("a") || result.scenario().equals("c")) && result.ratio() < minRatio;
  }

  /** Removes what a finished scenario left on disk; a directory that cannot be removed is reported, not fatal. */
  private static void discard(Path directory) {
    try {
      Utils.delete(directory.toFile());
    } catch (IOException e) {
      System.out.printf("could not remove %s (%s); remove it by hand%n", directory, e.getMessage());
    }
  }

  private void throughput(String name, String description, int count, int keys, int rigs, boolean latencies) throws Exception {
    try (BenchStack stack = BenchStack.start(workDir.resolve(name), partitions, aggregatorJvm(), aggregatorOptions)) {
      Workload workload = new Workload(stack.registryUrl());
      List<Workload.Payload> payloads = workload.spread(count, keys, rigs, name.hashCode(), "bench-" + name + "-");
      Result result = measure(stack, name, description, payloads, streamsFloor);
      if (latencies) {
        endToEnd(stack, workload, payloads, latencyRate != null ? latencyRate : result.aggregatedPerSecond() / 2);
        api(stack, payloads);
      }
    }
  }

  /**
   * Raw produce, then the same payloads into tokbench.reports, then (with {@code floor}) the Kafka
   * Streams floor over them, then the aggregator from ready to the last report aggregated.
   */
  private Result measure(BenchStack stack, String name, String description, List<Workload.Payload> payloads, boolean floor) throws Exception {
    System.out.printf("%n(%s) %s%n", name, description);
    produce(stack.bootstrapServers(), BenchStack.RAW_TOPIC, payloads); // untimed: warms this JVM's producer path and the broker
    // At least RAW_RECORDS records, so a small scenario's raw rate is not a fraction of a second's noise.
    int rounds = Math.max(1, (RAW_RECORDS + payloads.size() - 1) / payloads.size());
    long raw = 0;
    for (int round = 0; round < rounds; round++) {
      raw += produce(stack.bootstrapServers(), BenchStack.RAW_TOPIC, payloads);
    }
    double rawRate = (double) rounds * payloads.size() / (raw / 1e9);
    System.out.printf("  raw Kafka: %,d payloads (%,.0f bytes each) produced %d× in %.2f s: %,.0f/s%n",
        payloads.size(), payloads.stream().mapToInt(p -> p.value().length).average().orElse(0), rounds, raw / 1e9, rawRate);
    long published = produce(stack.bootstrapServers(), Topics.REPORTS, payloads);
    System.out.printf("  into tokbench.reports in %.2f s: %,.0f/s%n", published / 1e9, payloads.size() / (published / 1e9));
    double floorRate = Double.NaN;
    if (floor) {
      long took = stack.runStreamsFloor(payloads.size(), commitIntervalMs());
      floorRate = payloads.size() / (took / 1e9);
      System.out.printf("  Kafka Streams floor (exactly-once, re-partition by model, count per key in a store) counted them in %.2f s from running: %,.0f/s (%.3f× raw Kafka)%n",
          took / 1e9, floorRate, floorRate / rawRate);
    }
    try (StatsWatcher watcher = new StatsWatcher(stack.bootstrapServers(), stack.registryUrl())) {
      long ready = stack.startAggregator();
      long done = watcher.awaitAggregated(payloads.size(), Duration.ofMinutes(30));
      double rate = payloads.size() / ((done - ready) / 1e9);
      System.out.printf("  aggregated %,d reports into %,d rows in %.2f s from ready: %,.0f/s (%.3f× raw Kafka%s)%n",
          payloads.size(), watcher.rowsOf("bench-" + name + "-").size(), (done - ready) / 1e9, rate, rate / rawRate,
          floor ? String.format(", %.2f× the Kafka Streams floor", rate / floorRate) : "");
      Result result = new Result(name, payloads.size(), rawRate, floorRate, rate);
      results.add(result);
      return result;
    }
  }

  /**
   * Reports of new rigs for the scenario's own keys at a fixed rate while the aggregator runs. The
   * n-th report sent counts as aggregated when tokbench.stats accounts for n more reports than before
   * (the sum of the rows' report counts, as a downstream consumer reads it): the tables lag the
   * publisher by that long. Waits for the backlog to drain before returning.
   */
  private void endToEnd(BenchStack stack, Workload workload, List<Workload.Payload> keys, double perSecond) throws Exception {
    try (StatsWatcher watcher = new StatsWatcher(stack.bootstrapServers(), stack.registryUrl());
         KafkaProducer<byte[], byte[]> producer = producer(stack.bootstrapServers(), 0)) {
      watcher.awaitAggregated(keys.size(), Duration.ofMinutes(5)); // the scenario's reports, read from the start
      // The rows are counted before the calibration has read its points: start from an idle aggregator,
      // or the first seconds measure the previous phase's backlog, not latency at this rate.
      long idle = stack.awaitIdle(Duration.ofMinutes(2));
      System.out.printf("  the aggregator read every input %s after the rows were counted%n",
          idle < 0 ? "not within 2 min" : String.format("%.1f s", idle / 1e9));
      long base = watcher.aggregated();
      List<Long> sent = new ArrayList<>();
      long start = System.nanoTime();
      long interval = (long) (1e9 / perSecond);
      while (System.nanoTime() - start < latencySeconds * 1_000_000_000L) {
        long due = start + sent.size() * interval;
        // Parked, not spinning: a spinning load generator takes one of this machine's two cores from the broker and the aggregator.
        for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
          java.util.concurrent.locks.LockSupport.parkNanos(wait);
        }
        Workload.Payload payload = workload.payload(UUID.randomUUID(), keys.get(sent.size() % keys.size()).model());
        sent.add(System.nanoTime());
        producer.send(new ProducerRecord<>(Topics.REPORTS, payload.key(), payload.value()));
      }
      producer.flush();
      watcher.awaitAggregated(base + sent.size(), Duration.ofMinutes(5));
      long[] counted = watcher.nanosWhenAggregated(base, sent.size());
      double[] millis = new double[sent.size()];
      for (int i = 0; i < millis.length; i++) {
        millis[i] = (counted[i] - sent.get(i)) / 1e6;
      }
      if (latencyTimeline) {
        for (int i = 0; i < millis.length; i += Math.max(1, millis.length / 60)) {
          System.out.printf("    t=%.2fs latency %.0f ms%n", (sent.get(i) - start) / 1e9, millis[i]);
        }
      }
      java.util.Arrays.sort(millis);
      System.out.printf("  end to end at %,.0f reports/s (%s), %,d reports of new rigs for (a)'s keys,"
              + " publish → counted on tokbench.stats: p50 %.0f ms, p99 %.0f ms, max %.0f ms%n",
          perSecond, latencyRate != null ? "--latency-rate" : "half the sustained rate", millis.length, OrderStatistics.percentile(millis, 50), OrderStatistics.percentile(millis, 99), millis[millis.length - 1]);
      notes.add(String.format("end-to-end p99 %.0f ms at %,.0f reports/s", OrderStatistics.percentile(millis, 99), perSecond));
    }
  }

  /** 64 clients asking for one model's rows: at saturation, then at --api-rate (default half that), latency-seconds each. */
  private void api(BenchStack stack, List<Workload.Payload> payloads) throws Exception {
    List<String> models = payloads.stream().map(p -> "raw:" + p.model()).distinct().toList();
    try (ApiLoad load = new ApiLoad(stack.apiUrl(), models)) {
      load.saturation(Duration.ofSeconds(Math.min(5, latencySeconds))); // warms both JVMs' query paths
      ApiLoad.Figures saturated = load.saturation(Duration.ofSeconds(latencySeconds));
      System.out.printf("  API, %d clients in this JVM (the aggregator in its own), each sending its next query when answered: %,.0f queries/s,"
              + " p50 %.2f ms, p99 %.2f ms, %d not 200%n", ApiLoad.CLIENTS, saturated.perSecond(), saturated.p50(), saturated.p99(), saturated.failures());
      double rate = apiRate != null ? apiRate : Math.floor(saturated.perSecond() / 2);
      java.util.TreeMap<Double, Double> before = stack.queryLatencyBuckets("/api/v1/stats");
      ApiLoad.Figures paced = load.atRate(rate, Duration.ofSeconds(latencySeconds));
      java.util.TreeMap<Double, Double> after = stack.queryLatencyBuckets("/api/v1/stats");
      apiFigures.add(saturated);
      apiFigures.add(paced);
      System.out.printf("  API, %d clients sending %,.0f queries/s between them (%s), timed from when each was due: p50 %.2f ms, p99 %.2f ms, max %.1f ms, %d not 200%n",
          ApiLoad.CLIENTS, rate, apiRate != null ? "--api-rate" : "half the saturated rate", paced.p50(), paced.p99(), paced.max(), paced.failures());
      System.out.println("  " + ServerTime.describe(before, after));
      notes.add(String.format("API with %d clients: saturated at %,.0f queries/s (p99 %.2f ms); at %,.0f queries/s p99 %.2f ms",
          ApiLoad.CLIENTS, saturated.perSecond(), saturated.p99(), rate, paced.p99()));
    }
  }

  /** A rig with 1,000 reports over 100 keys (next to 200 other rigs' 2,000) is retracted: time until every row shows it. */
  private void retraction() throws Exception {
    try (BenchStack stack = BenchStack.start(workDir.resolve("d"), partitions, aggregatorJvm(), aggregatorOptions)) {
      Workload workload = new Workload(stack.registryUrl());
      UUID abuser = UUID.randomUUID();
      List<Workload.Payload> payloads = new ArrayList<>(workload.spread(2_000, 100, 200, 4, "bench-d-"));
      for (int i = 0; i < 1_000; i++) {
        payloads.add(workload.payload(abuser, "bench-d-" + (i % 100)));
      }
      measure(stack, "d", "3,000 reports over 100 keys, 1,000 of them from one rig", payloads, false);
      try (StatsWatcher watcher = new StatsWatcher(stack.bootstrapServers(), stack.registryUrl());
           KafkaProducer<byte[], byte[]> producer = producer(stack.bootstrapServers(), 0)) {
        watcher.awaitAggregated(3_000, Duration.ofMinutes(5));
        AvroSerializer<Retraction> serializer = new AvroSerializer<>();
        serializer.configure(Map.of("schema.registry.url", stack.registryUrl()), false);
        byte[] value = serializer.serialize(Topics.RETRACTIONS, Retraction.newBuilder().setRigId(abuser).setReason("benchmark").setRequestedAt(Instant.now()).build());
        long sent = System.nanoTime();
        producer.send(new ProducerRecord<>(Topics.RETRACTIONS, ("rig:" + abuser).getBytes(StandardCharsets.UTF_8), value)).get();
        long deadline = sent + Duration.ofMinutes(5).toNanos();
        while (watcher.rowsOf("bench-d-").values().stream().mapToLong(Long::longValue).sum() > 2_000 && System.nanoTime() < deadline) {
          Thread.sleep(5);
        }
        // Timed once, when the rows were seen updated: the detail line and the summary print the same figure.
        double millis = (System.nanoTime() - sent) / 1e6;
        long left = watcher.rowsOf("bench-d-").values().stream().mapToLong(Long::longValue).sum();
        System.out.printf("  retraction of the rig: every one of its 100 rows updated %.0f ms after the retraction was published (%,d reports left, 2,000 expected)%n",
            millis, left);
        notes.add(String.format("retracting a rig with 1,000 reports across 100 keys: %.0f ms", millis));
      }
    }
  }

  /** Scenario (b) at --memory-keys keys, then the aggregator's heap after a full GC and its resident memory. */
  private void memory() throws Exception {
    try (BenchStack stack = BenchStack.start(workDir.resolve("memory"), partitions, aggregatorJvm(), aggregatorOptions)) {
      Workload workload = new Workload(stack.registryUrl());
      List<Workload.Payload> payloads = workload.spread(memoryKeys, memoryKeys, 2_000, 11, "bench-m-");
      measure(stack, "m", memoryKeys + " reports, every one a new key (memory)", payloads, false);
      BenchStack.Memory memory = stack.aggregatorMemory();
      System.out.printf("  aggregator with %,d keys: heap used after a full GC %,.0f MiB (of -Xmx%s), resident %,.0f MiB, RocksDB bound %,.0f MiB"
              + " (block cache in use %s, memtables %s)%n",
          memoryKeys, memory.heapUsedBytes() / 1048576.0, aggregatorHeap, memory.residentBytes() / 1048576.0, memory.rocksDbBoundBytes() / 1048576.0,
          mib(memory.rocksDbBlockCacheBytes()), mib(memory.rocksDbMemtableBytes()));
      notes.add(String.format("heap %.0f MiB after GC at %,d keys; resident %.0f MiB", memory.heapUsedBytes() / 1048576.0, memoryKeys, memory.residentBytes() / 1048576.0));
    }
  }

  /** The aggregator's commit interval, which the floor shares: its command line read as the aggregator reads it (option, environment, default). */
  long commitIntervalMs() {
    AggregatorCommand aggregator = new AggregatorCommand();
    new CommandLine(aggregator).parseArgs(aggregatorOptions.toArray(String[]::new));
    return aggregator.commitIntervalMs();
  }

  private List<String> aggregatorJvm() {
    List<String> options = new ArrayList<>(List.of("-Xmx" + aggregatorHeap, "-Xms" + aggregatorHeap));
    options.addAll(aggregatorJvmOptions);
    return options;
  }

  private static String mib(long bytes) {
    return bytes < 0 ? "not exported" : String.format("%,.0f MiB", bytes / 1048576.0);
  }

  private void print() {
    System.out.printf("%n%-4s %10s %14s %16s %16s %9s %12s%n", "", "reports", "raw Kafka /s", "Streams floor /s", "aggregated /s", "ratio", "of floor");
    for (Result r : results) {
      System.out.printf("%-4s %,10d %,14.0f %16s %,16.0f %8.3f× %12s%n", r.scenario(), r.reports(), r.rawPerSecond(),
          Double.isNaN(r.floorPerSecond()) ? "-" : String.format("%,.0f", r.floorPerSecond()), r.aggregatedPerSecond(), r.ratio(),
          Double.isNaN(r.floorPerSecond()) ? "-" : String.format("%.2f×", r.aggregatedPerSecond() / r.floorPerSecond()));
    }
    results.stream().filter(r -> r.scenario().equals("a")).findFirst().ifPresent(a -> results.stream().filter(r -> r.scenario().equals("c")).findFirst()
        .ifPresent(c -> System.out.printf("hot key (c) at %.0f %% of (a)%n", 100 * c.aggregatedPerSecond() / a.aggregatedPerSecond())));
    notes.forEach(note -> System.out.println(note));
  }

  static long produce(String bootstrap, String topic, List<Workload.Payload> payloads) throws Exception {
    long start = System.nanoTime();
    try (KafkaProducer<byte[], byte[]> producer = producer(bootstrap, 20)) {
      for (Workload.Payload payload : payloads) {
        producer.send(new ProducerRecord<>(topic, payload.key(), payload.value()));
      }
      producer.flush();
    }
    return System.nanoTime() - start;
  }

  /** The agent's delivery settings (acks=all, idempotent) with batching for a bulk load. */
  static KafkaProducer<byte[], byte[]> producer(String bootstrap, int lingerMs) {
    Map<String, Object> config = new HashMap<>();
    config.put("bootstrap.servers", bootstrap);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    config.put(ProducerConfig.LINGER_MS_CONFIG, lingerMs);
    config.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    return new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  static void createRawTopic(String bootstrap, int partitions) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      admin.createTopics(List.of(
          new NewTopic(BenchStack.RAW_TOPIC, partitions, (short) 1).configs(Topics.all(partitions).get(0).configs()),
          new NewTopic(StreamsFloor.COUNTS_TOPIC, partitions, (short) 1))).all().get();
    }
    TopicInitializer.ensure(Map.of("bootstrap.servers", bootstrap), partitions, (short) 1);
  }

  public static void main(String[] args) {
    System.exit(ShortUsageErrors.commandLine(new BenchmarkCommand()).execute(args));
  }
}
