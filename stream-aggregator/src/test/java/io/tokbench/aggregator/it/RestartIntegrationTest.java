package io.tokbench.aggregator.it;

import static io.tokbench.aggregator.support.RunningAggregators.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokbench.aggregator.aggregate.RigContributions;
import io.tokbench.aggregator.aggregate.StatsCalculator;
import io.tokbench.aggregator.app.Aggregator;
import io.tokbench.aggregator.app.AggregatorCommand;
import io.tokbench.aggregator.normalize.NormalizeProcessor;
import io.tokbench.aggregator.normalize.StatsKeys;
import io.tokbench.aggregator.state.RigContribution;
import io.tokbench.aggregator.support.RunningAggregators;
import io.tokbench.aggregator.support.TestReports;
import io.tokbench.normalize.Normalization;
import io.tokbench.schema.BenchmarkReport;
import io.tokbench.schema.StatsKey;
import io.tokbench.schema.StatsRow;
import io.tokbench.testkit.FreePorts;
import io.tokbench.testkit.KafkaStack;
import io.tokbench.testkit.WithKafkaStack;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An instance killed with SIGKILL mid-stream and restarted: every statistic then equals a
 * recomputation from the full input. Exactly-once means nothing is lost and nothing counted twice.
 */
@WithKafkaStack
class RestartIntegrationTest {
  private final KafkaStack stack;
  @TempDir Path dir;

  RestartIntegrationTest(KafkaStack stack) {
    this.stack = stack;
  }

  @Test
  void aKilledInstanceResumesWithoutLosingOrDoubleCounting() throws Exception {
    String app = "it-restart-" + UUID.randomUUID();
    Path state = dir.resolve("state");
    int port = FreePorts.next();
    Process child = new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", System.getProperty("java.class.path"),
            AggregatorCommand.class.getName(), "--bootstrap-servers", stack.bootstrapServers(), "--schema-registry-url", stack.registryUrl(),
            "--application-id", app, "--state-dir", state.toString(), "--http-port", String.valueOf(port), "--http-host", "127.0.0.1",
            "--internal-port", String.valueOf(FreePorts.next()), "--advertised-host", "127.0.0.1", "--partitions", "3")
        .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();

    Random random = new Random(7);
    List<UUID> rigs = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      rigs.add(UUID.randomUUID());
    }
    List<BenchmarkReport> input = new ArrayList<>();
    Instant start = Instant.now().minusSeconds(3600);
    for (int i = 0; i < 400; i++) {
      BenchmarkReport report = TestReports.at(rigs.get(random.nextInt(rigs.size())), 40 + random.nextInt(120), start.plusSeconds(i));
      input.add(TestReports.forModel(report, "model-" + random.nextInt(4)));
    }

    // First half while the child runs; kill it without warning once it has made some progress.
    RunningAggregators.publishAsTheAgentDoes(stack, dir.resolve("spool"), input.subList(0, 200));
    await("http://127.0.0.1:" + port + "/api/v1/stats", a -> a.status() == 200 && a.body().path("total").asInt() > 0, Duration.ofSeconds(90));
    child.destroyForcibly();
    assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();

    RunningAggregators.publishAsTheAgentDoes(stack, dir.resolve("spool"), input.subList(200, 400));
    try (Aggregator restarted = RunningAggregators.startRunning(RunningAggregators.config(stack, app, state))) {
      // The export: every row with its raw (unrounded) rates.
      String url = restarted.apiUrl() + "/api/v1/export?format=json";
      RunningAggregators.Answer answer = await(url, a -> a.status() == 200 && totalReports(a.body()) == 400, Duration.ofSeconds(120));
      assertThat(totalReports(answer.body())).as("reports counted once each").isEqualTo(400);

      Map<String, StatsRow> expected = recompute(input);
      assertThat(answer.body()).hasSize(expected.size());
      for (JsonNode row : answer.body()) {
        String key = StatsKeys.encode(new StatsKey(row.get("model").asText(), row.get("gpu").asText(), row.get("gpuCount").asInt(), row.get("quant").asText(),
            row.get("runtime").asText(), row.get("ctx").asInt(), row.get("suite").asText(), io.tokbench.schema.OffloadClass.valueOf(row.get("offload").asText()),
            row.get("concurrency").asInt()));
        StatsRow want = expected.get(key);
        assertThat(want).as("row %s", key.replace(StatsKeys.SEPARATOR, '|')).isNotNull();
        assertThat(row.get("rigCount").asInt()).isEqualTo(want.getRigCount());
        assertThat(row.get("reportCount").asLong()).isEqualTo(want.getReportCount());
        assertThat(row.path("generationTokensPerSecond").path("median").asDouble()).isCloseTo(want.getGenerationTokensPerSecond().getMedian(), within(1e-9));
        assertThat(row.path("generationTokensPerSecond").path("p90").asDouble()).isCloseTo(want.getGenerationTokensPerSecond().getP90(), within(1e-9));
      }
    }
  }

  private static long totalReports(JsonNode rows) {
    long total = 0;
    for (JsonNode row : rows) {
      total += row.path("reportCount").asLong();
    }
    return total;
  }

  /** The tables as they must be: every report once, grouped as the topology groups them. */
  private static Map<String, StatsRow> recompute(List<BenchmarkReport> input) {
    Map<String, Map<String, RigContribution>> byKey = new TreeMap<>();
    for (BenchmarkReport report : input) {
      String key = StatsKeys.encode(Normalization.key(report));
      byKey.computeIfAbsent(key, k -> new HashMap<>())
          .merge(report.getRigId().toString(), RigContributions.add(null, NormalizeProcessor.sample(report)),
              (existing, single) -> RigContributions.add(existing, single.getSamples().get(0)));
    }
    Map<String, StatsRow> rows = new HashMap<>();
    byKey.forEach((key, rigs) -> rows.put(key, StatsCalculator.row(StatsKeys.decode(key), new ArrayList<>(rigs.values()))));
    return rows;
  }
}
