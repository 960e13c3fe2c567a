package io.tokbench.aggregator.bench;

import io.tokbench.aggregator.app.Aggregator;
import io.tokbench.aggregator.app.AggregatorConfig;
import io.tokbench.aggregator.query.ApiProtection;
import io.tokbench.aggregator.support.RunningAggregators;
import io.tokbench.aggregator.support.TestReports;
import io.tokbench.aggregator.topology.TopicInitializer;
import io.tokbench.aggregator.topology.Topics;
import io.tokbench.schema.BenchmarkReport;
import io.tokbench.serde.AvroSerializer;
import io.tokbench.testkit.InProcessKafkaStack;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Throughput and latency of the whole aggregator on this machine, printed, not asserted:
 * sustained reports/s through the full topology with exactly-once, end-to-end latency (publish →
 * visible in the API), API latency under 64 concurrent clients, and heap with many distinct keys.
 * Everything runs in this one JVM (broker, registry, aggregator, load), so the figures are what a
 * single 2-core machine gives the whole stack.
 *
 * <p>Run: {@code MAVEN_OPTS=-Xmx1g mvn -q -pl stream-aggregator -am test-compile
 * org.codehaus.mojo:exec-maven-plugin:3.6.2:java -Dexec.classpathScope=test
 * -Dexec.mainClass=io.tokbench.aggregator.bench.AggregatorBenchmark -Dexec.args="100000 100000"}
 * (arguments: reports, distinct keys).
 */
public final class AggregatorBenchmark {
  public static void main(String[] args) throws Exception {
    int reports = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int keys = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
    Path dir = Files.createTempDirectory("tokbench-bench");
    try (InProcessKafkaStack stack = InProcessKafkaStack.start(1)) {
      TopicInitializer.ensure(Map.of("bootstrap.servers", stack.bootstrapServers()), 4, (short) 1);
      List<byte[]> payloads = synthesize(stack.registryUrl(), reports, keys);
      System.out.printf("synthesized %,d reports over %,d keys%n", reports, Math.min(keys, reports));

      AggregatorConfig config = new AggregatorConfig(stack.bootstrapServers(), stack.registryUrl(), "bench-" + UUID.randomUUID(), "127.0.0.1", 0,
          "127.0.0.1", dir.resolve("state"), 0, 4, (short) 1, Map.of("num.stream.threads", 2, "commit.interval.ms", Integer.getInteger("commit.interval.ms", 100)))
          // 64 clients on one address: the per-client rate limit would measure itself.
          .withProtection(new ApiProtection(null, 0));
      try (Aggregator aggregator = RunningAggregators.startRunning(config)) {
        // Measured from the first report published to the last row visible: steady-state
        // processing with the application already running, start-up excluded.
        long started = System.nanoTime();
        long produced = produce(stack.bootstrapServers(), payloads);
        System.out.printf("published %,d reports in %.1f s (%,.0f reports/s into the broker)%n", reports, produced / 1e9, reports / (produced / 1e9));
        long expectedRows = Math.min(keys, reports);
        awaitRows(aggregator.apiUrl(), expectedRows, Duration.ofMinutes(15));
        long elapsed = System.nanoTime() - started;
        System.out.printf("processed %,d reports into %,d rows in %.1f s: %,.0f reports/s sustained (exactly_once_v2, commit every %d ms, 2 stream threads, 4 partitions)%n",
            reports, expectedRows, elapsed / 1e9, reports / (elapsed / 1e9), Integer.getInteger("commit.interval.ms", 100));

        System.gc();
        Thread.sleep(500);
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        System.out.printf("heap used after GC with %,d keys: %.0f MiB (whole JVM: broker, registry, aggregator; state stores live in RocksDB, off-heap)%n",
            expectedRows, heap / 1048576.0);

        endToEnd(stack.registryUrl(), stack.bootstrapServers(), aggregator.apiUrl(), 200);
        queries(aggregator.apiUrl(), keys, 64, Duration.ofSeconds(15));
      }
    }
    // exec:java waits for every non-daemon thread (HTTP client pools) before returning.
    System.exit(0);
  }

  private static List<byte[]> synthesize(String registryUrl, int reports, int keys) {
    AvroSerializer<BenchmarkReport> serializer = new AvroSerializer<>();
    serializer.configure(Map.of("schema.registry.url", registryUrl), false);
    List<UUID> rigs = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      rigs.add(UUID.randomUUID());
    }
    Instant now = Instant.now().minusSeconds(60);
    BenchmarkReport template = TestReports.at(rigs.get(0), 80, now);
    List<byte[]> payloads = new ArrayList<>(reports);
    for (int i = 0; i < reports; i++) {
      BenchmarkReport report = TestReports.forModel(TestReports.withRate(template, 40 + (i % 97)), "bench-model-" + (i % keys));
      report.setRigId(rigs.get(i % rigs.size()));
      payloads.add(serializer.serialize(Topics.REPORTS, report));
    }
    return payloads;
  }

  private static long produce(String bootstrap, List<byte[]> payloads) throws Exception {
    Map<String, Object> config = new HashMap<>();
    config.put("bootstrap.servers", bootstrap);
    config.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    config.put(ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024);
    config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    long start = System.nanoTime();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < payloads.size(); i++) {
        producer.send(new ProducerRecord<>(Topics.REPORTS, ("rig-" + i).getBytes(), payloads.get(i)));
      }
      producer.flush();
    }
    return System.nanoTime() - start;
  }

  private static void awaitRows(String api, long rows, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      var answer = RunningAggregators.get(api + "/api/v1/stats?size=1");
      if (answer.status() == 200 && answer.body().path("total").asLong() >= rows) {
        return;
      }
      Thread.sleep(500);
    }
    throw new IllegalStateException("the aggregator did not produce " + rows + " rows in time");
  }

  /** Publish one report at a time and poll until its row is visible. */
  private static void endToEnd(String registryUrl, String bootstrap, String api, int samples) throws Exception {
    AvroSerializer<BenchmarkReport> serializer = new AvroSerializer<>();
    serializer.configure(Map.of("schema.registry.url", registryUrl), false);
    HttpClient http = HttpClient.newHttpClient();
    double[] millis = new double[samples];
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap, "linger.ms", 0), new ByteArraySerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < samples; i++) {
        String model = "latency-" + UUID.randomUUID();
        BenchmarkReport report = TestReports.forModel(TestReports.at(UUID.randomUUID(), 80, Instant.now().minusSeconds(5)), model);
        long start = System.nanoTime();
        producer.send(new ProducerRecord<>(Topics.REPORTS, model.getBytes(), serializer.serialize(Topics.REPORTS, report))).get();
        URI uri = URI.create(api + "/api/v1/stats?model=raw:" + model);
        while (!http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body().contains("\"total\":1")) {
          Thread.sleep(2);
        }
        millis[i] = (System.nanoTime() - start) / 1e6;
      }
    }
    Arrays.sort(millis);
    System.out.printf("end-to-end latency (publish → visible in the API), %d samples: p50 %.0f ms, p99 %.0f ms%n",
        samples, millis[samples / 2], millis[(int) Math.ceil(samples * 0.99) - 1]);
  }

  /** 64 clients asking for random rows by exact key. */
  private static void queries(String api, int keys, int clients, Duration duration) throws Exception {
    HttpClient http = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(4)).build();
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    long deadline = System.nanoTime() + duration.toNanos();
    List<Future<List<Long>>> results = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      results.add(pool.submit(() -> {
        List<Long> latencies = new ArrayList<>();
        while (System.nanoTime() < deadline) {
          int k = ThreadLocalRandom.current().nextInt(keys);
          URI uri = URI.create(api + "/api/v1/stats/row?model=raw:bench-model-" + k
              + "&gpu=nvidia-rtx-4090&gpuCount=1&quant=Q4_K_M&runtime=ollama&ctx=8192&suite=tokbench-suite-1&offload=FULL_GPU&concurrency=1");
          long start = System.nanoTime();
          HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
          if (response.statusCode() != 200) {
            throw new IllegalStateException("query answered " + response.statusCode() + ": " + response.body());
          }
          latencies.add(System.nanoTime() - start);
        }
        return latencies;
      }));
    }
    List<Long> all = new ArrayList<>();
    for (Future<List<Long>> result : results) {
      all.addAll(result.get());
    }
    pool.shutdown();
    all.sort(null);
    System.out.printf("API, %d concurrent clients for %d s: %,d queries (%,.0f/s), p50 %.2f ms, p99 %.2f ms%n", clients, duration.toSeconds(), all.size(),
        all.size() / (double) duration.toSeconds(), all.get(all.size() / 2) / 1e6, all.get((int) Math.ceil(all.size() * 0.99) - 1) / 1e6);
  }
}
