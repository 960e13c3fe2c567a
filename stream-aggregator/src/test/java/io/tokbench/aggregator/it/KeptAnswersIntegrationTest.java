package io.tokbench.aggregator.it;

import static io.tokbench.aggregator.support.RunningAggregators.await;
import static io.tokbench.aggregator.support.RunningAggregators.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.tokbench.aggregator.app.Aggregator;
import io.tokbench.aggregator.query.Freshness;
import io.tokbench.aggregator.support.PublishedTables;
import io.tokbench.aggregator.support.RunningAggregators;
import io.tokbench.aggregator.support.TestReports;
import io.tokbench.aggregator.topology.AggregatorTopology;
import io.tokbench.schema.BenchmarkReport;
import io.tokbench.schema.Settings;
import io.tokbench.testkit.KafkaStack;
import io.tokbench.testkit.WithKafkaStack;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One model's answers are kept as the bytes sent until the model changes: a kept answer is byte
 * for byte what the uncached path renders, a changed row is in the very next answer once a
 * downstream reader of tokbench.stats sees it, and an answer this instance got from another one
 * (whose changes it does not hear of) is never kept.
 */
@WithKafkaStack
class KeptAnswersIntegrationTest {
  private static final List<String> MODELS = List.of("kept-a", "kept-b", "kept-c", "kept-d", "kept-e", "kept-f", "kept-g", "kept-h");
  /** The sample report's row, but for its model. */
  private static final String ROW_KEY = "&gpu=nvidia-rtx-4090&gpuCount=1&quant=Q4_K_M&runtime=ollama&ctx=8192&suite=tokbench-suite-1&offload=FULL_GPU&concurrency=1";
  private final KafkaStack stack;
  @TempDir Path dir;
  private int spools;

  KeptAnswersIntegrationTest(KafkaStack stack) {
    this.stack = stack;
  }

  @Test
  void keptAnswersAreTheRenderedBytesAndGiveWayToTheNextChange() throws Exception {
    String app = "it-kept-" + UUID.randomUUID();
    try (Aggregator first = RunningAggregators.startRunning(RunningAggregators.config(stack, app, dir.resolve("a")));
        Aggregator second = RunningAggregators.startRunning(RunningAggregators.config(stack, app, dir.resolve("b")))) {
      PublishedTables.StatsTopicReader topic = new PublishedTables.StatsTopicReader(stack);
      Instant at = Instant.now().minusSeconds(60);
      publish(TestReports.oneEach(MODELS, at));
      for (Aggregator instance : List.of(first, second)) {
        await(instance.apiUrl() + "/api/v1/stats", a -> a.status() == 200 && a.body().path("total").asInt() == MODELS.size(), Duration.ofSeconds(90));
      }
      HostInfo firstHost = new HostInfo("127.0.0.1", first.internalPort());
      String local = null;
      String remote = null;
      for (String model : MODELS) {
        HostInfo owner = first.streams().queryMetadataForKey(AggregatorTopology.STATS_STORE, "raw:" + model, Serdes.String().serializer()).activeHost();
        if (owner.equals(firstHost)) {
          local = local == null ? "raw:" + model : local;
        } else {
          remote = remote == null ? "raw:" + model : remote;
        }
      }
      assertThat(local).as("a model of the first instance's partitions").isNotNull();
      assertThat(remote).as("a model of the second instance's partitions").isNotNull();

      // The local model's only 4096-token row: a list across models (rendered for each query) and
      // the model's own list (kept) hold the same rows and must be the same bytes.
      publish(List.of(atContext(TestReports.forModel(TestReports.at(UUID.randomUUID(), 81.23456, at), local.substring(4)), 4096)));
      awaitCounted(topic, MODELS.size() + 1);
      String kept = first.apiUrl() + "/api/v1/stats?model=" + local + "&ctx=4096";
      String rendered = get(kept).response().body();
      assertThat(get(kept).response().body()).as("the kept answer").isEqualTo(rendered);
      String acrossModels = get(first.apiUrl() + "/api/v1/stats?ctx=4096").response().body();
      assertThat(acrossModels).contains("\"total\":1,").contains(local);
      assertThat(rendered).as("kept bytes = the uncached path's").isEqualTo(acrossModels);

      for (String model : List.of(local, remote)) {
        String url = first.apiUrl() + "/api/v1/stats?model=" + model + "&ctx=8192";
        String row = first.apiUrl() + "/api/v1/stats/row?model=" + model + ROW_KEY;
        RunningAggregators.Answer before = get(url);
        assertThat(get(url).response().body()).isEqualTo(before.response().body());
        assertThat(before.body().path("rows").get(0).path("reportCount").asLong()).isEqualTo(1);
        assertThat(get(row).body().path("reportCount").asLong()).isEqualTo(1);
        assertThat(get(row).body().path("reportCount").asLong()).isEqualTo(1);
        long counted = topic.reportsCounted();
        publish(List.of(TestReports.forModel(TestReports.at(UUID.randomUUID(), 90, at), model.substring(4))));
        awaitCounted(topic, counted + 1);
        // The row is in the store and the stream has said so before the row is committed downstream.
        RunningAggregators.Answer next = get(url);
        assertThat(next.body().path("rows").get(0).path("reportCount").asLong())
            .as("the very next answer about %s (%s instance) after its row changed", model, model.equals(local) ? "this" : "the other")
            .isEqualTo(2);
        assertThat(next.body().path("rows").get(0).path("generationTokensPerSecond").path("median").asDouble()).isEqualTo(80);
        assertThat(next.response().headers().firstValue(Freshness.STALE_HEADER)).hasValue("false");
        assertThat(get(url).response().body()).isEqualTo(next.response().body());
        assertThat(get(row).body().path("reportCount").asLong()).as("the row of %s", model).isEqualTo(2);
      }
    }
  }

  private void publish(List<BenchmarkReport> reports) {
    RunningAggregators.publishAsTheAgentDoes(stack, dir.resolve("spool-" + spools++), reports);
  }

  private static BenchmarkReport atContext(BenchmarkReport report, int tokens) {
    return BenchmarkReport.newBuilder(report).setSettings(Settings.newBuilder(report.getSettings()).setContextLength(tokens).build()).build();
  }

  private static void awaitCounted(PublishedTables.StatsTopicReader topic, long reports) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (topic.reportsCounted() < reports) {
      assertThat(System.nanoTime()).as("tokbench.stats counting %d reports", reports).isLessThan(deadline);
      Thread.sleep(100);
    }
  }
}
