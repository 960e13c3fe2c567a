package io.tokbench.aggregator.it;

import static io.tokbench.aggregator.support.RunningAggregators.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.tokbench.aggregator.app.Aggregator;
import io.tokbench.aggregator.support.AggregatorProcess;
import io.tokbench.aggregator.support.Exactness;
import io.tokbench.aggregator.support.ExpectedTables;
import io.tokbench.aggregator.support.PublishedTables;
import io.tokbench.aggregator.support.RunningAggregators;
import io.tokbench.aggregator.support.TestReports;
import io.tokbench.schema.BenchmarkReport;
import io.tokbench.testkit.KafkaStack;
import io.tokbench.testkit.WithKafkaStack;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An instance killed with SIGKILL mid-stream and restarted: every statistic then equals a
 * recomputation from the full input. Exactly-once means nothing is lost and nothing counted twice.
 * (The chaos tests do the same under harder faults.)
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
    Path instance = dir.resolve("instance");
    AggregatorProcess child = AggregatorProcess.start(stack, app, null, 3, instance);

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
    await(child.apiUrl() + "/api/v1/stats", a -> a.status() == 200 && a.body().path("total").asInt() > 0, Duration.ofSeconds(90));
    child.kill();

    RunningAggregators.publishAsTheAgentDoes(stack, dir.resolve("spool"), input.subList(200, 400));
    // The killed member stays in the group until its session times out (45 s): the restarted one
    // joins after that, so it gets more than the usual minute to run.
    try (Aggregator restarted = RunningAggregators.startRunning(RunningAggregators.config(stack, app, instance.resolve("state")), Duration.ofSeconds(150))) {
      await(restarted.apiUrl() + "/api/v1/stats?size=1000", a -> a.status() == 200 && PublishedTables.reportsIn(a.body()) == 400, Duration.ofSeconds(120));
      Exactness exactness = Exactness.compare("API", input.size(), ExpectedTables.of(input), PublishedTables.api(restarted.apiUrl()));
      assertThat(exactness.differences()).as(exactness.summary()).isEmpty();
      assertThat(exactness.exact()).as(exactness.summary()).isTrue();
      // What the home page lists, kept by the stream through the kill: every model's and the GPU's rows, reports and distinct rigs.
      for (String which : List.of("models", "gpus")) {
        Map<String, ExpectedTables.Tally> expected = ExpectedTables.tallies(input, which.equals("models"));
        RunningAggregators.Answer listed = await(restarted.apiUrl() + "/api/v1/" + which,
            a -> PublishedTables.tallies(a, which).equals(expected), Duration.ofSeconds(30));
        assertThat(PublishedTables.tallies(listed, which)).as("/api/v1/%s", which).isEqualTo(expected);
      }
    }
  }
}
