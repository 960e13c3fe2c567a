package io.tokbench.aggregator.it;

import static io.tokbench.aggregator.support.RunningAggregators.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.tokbench.aggregator.app.Aggregator;
import io.tokbench.aggregator.support.RunningAggregators;
import io.tokbench.aggregator.support.TestReports;
import io.tokbench.aggregator.topology.AggregatorTopology;
import io.tokbench.testkit.KafkaStack;
import io.tokbench.testkit.WithKafkaStack;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two instances split the partitions; each answers for keys the other owns. */
@WithKafkaStack
class TwoInstancesIntegrationTest {
  private final KafkaStack stack;
  @TempDir Path dir;

  TwoInstancesIntegrationTest(KafkaStack stack) {
    this.stack = stack;
  }

  @Test
  void eachInstanceAnswersForKeysTheOtherOwns() throws Exception {
    String app = "it-two-" + UUID.randomUUID();
    try (Aggregator first = Aggregator.start(RunningAggregators.config(stack, app, dir.resolve("a")));
        Aggregator second = Aggregator.start(RunningAggregators.config(stack, app, dir.resolve("b")))) {
      List<String> models = List.of("model-a", "model-b", "model-c", "model-d", "model-e", "model-f", "model-g", "model-h");
      List<io.tokbench.schema.BenchmarkReport> reports = new ArrayList<>(TestReports.oneEach(models, Instant.now().minusSeconds(30)));
      UUID everyModel = UUID.randomUUID(); // one rig measuring every model: rows in both instances' partitions
      models.forEach(model -> reports.add(TestReports.forModel(TestReports.at(everyModel, 75, Instant.now().minusSeconds(20)), model)));
      RunningAggregators.publishAsTheAgentDoes(stack, dir.resolve("spool"), reports);

      // Every model visible from either instance: the cross-model list gathers both instances' shares.
      for (Aggregator instance : List.of(first, second)) {
        RunningAggregators.Answer all = await(instance.apiUrl() + "/api/v1/stats", a -> a.status() == 200 && a.body().path("total").asInt() == models.size(), Duration.ofSeconds(90));
        assertThat(all.body().path("total").asInt()).as("rows seen from %s", instance.apiUrl()).isEqualTo(models.size());
        // The GPU's tally adds both instances' rows and reports, but counts the rig measuring every model
        // once (its count comes through the presence topic a moment after the rows).
        RunningAggregators.Answer gpus = await(instance.apiUrl() + "/api/v1/gpus", a -> a.status() == 200
            && a.body().path("gpus").path(0).path("reports").asInt() == 2 * models.size() && a.body().path("gpus").path(0).path("rigs").asInt() >= models.size() + 1,
            Duration.ofSeconds(60));
        assertThat(gpus.body().path("gpus")).singleElement().satisfies(gpu -> {
          assertThat(gpu.path("id").asText()).isEqualTo("nvidia-rtx-4090");
          assertThat(gpu.path("rows").asInt()).isEqualTo(models.size());
          assertThat(gpu.path("rigs").asInt()).as("eight rigs of one model each and one of all").isEqualTo(models.size() + 1);
        });
        RunningAggregators.Answer seen = RunningAggregators.get(instance.apiUrl() + "/api/v1/models");
        assertThat(seen.body().path("models")).hasSize(models.size()).allSatisfy(model -> {
          assertThat(model.path("rows").asInt()).isEqualTo(1);
          assertThat(model.path("reports").asInt()).isEqualTo(2);
          assertThat(model.path("rigs").asInt()).isEqualTo(2);
        });
      }

      HostInfo firstHost = new HostInfo("127.0.0.1", first.internalPort());
      List<String> ownedByFirst = new ArrayList<>();
      List<String> ownedBySecond = new ArrayList<>();
      for (String model : models) {
        HostInfo owner = first.streams().queryMetadataForKey(AggregatorTopology.STATS_STORE, "raw:" + model, Serdes.String().serializer()).activeHost();
        (owner.equals(firstHost) ? ownedByFirst : ownedBySecond).add(model);
      }
      assertThat(ownedByFirst).as("the partitions are split between the instances").isNotEmpty();
      assertThat(ownedBySecond).isNotEmpty();

      String ofSecond = "raw:" + ownedBySecond.get(0);
      RunningAggregators.Answer viaFirst = RunningAggregators.get(first.apiUrl() + "/api/v1/stats?model=" + ofSecond);
      assertThat(viaFirst.status()).isEqualTo(200);
      assertThat(viaFirst.body().path("rows").get(0).path("model").asText()).isEqualTo(ofSecond);
      String ofFirst = "raw:" + ownedByFirst.get(0);
      RunningAggregators.Answer viaSecond = RunningAggregators.get(second.apiUrl() + "/api/v1/community/" + ofFirst);
      assertThat(viaSecond.status()).isEqualTo(200);
      assertThat(viaSecond.body().path("rows").get(0).path("model").asText()).isEqualTo(ofFirst);
    }
  }
}
