package io.tokbench.aggregator.it;

import static io.tokbench.aggregator.support.RunningAggregators.await;
import static io.tokbench.aggregator.support.RunningAggregators.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.tokbench.aggregator.app.Aggregator;
import io.tokbench.aggregator.support.RunningAggregators;
import io.tokbench.aggregator.support.TestReports;
import io.tokbench.aggregator.topology.Topics;
import io.tokbench.aggregator.validate.Rejection;
import io.tokbench.schema.Backend;
import io.tokbench.schema.BenchmarkReport;
import io.tokbench.schema.RejectedReport;
import io.tokbench.serde.AvroDeserializer;
import io.tokbench.testkit.KafkaStack;
import io.tokbench.testkit.TopicReader;
import io.tokbench.testkit.WithKafkaStack;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reports published by the agent's code reach the API through a real broker; poison does not stop it. */
@WithKafkaStack
class AgentToApiIntegrationTest {
  private static final String MODEL = "deepseek-r1-distill-llama-8b";
  private final KafkaStack stack;
  @TempDir Path dir;

  AgentToApiIntegrationTest(KafkaStack stack) {
    this.stack = stack;
  }

  @Test
  void reportsFromTheAgentAppearInTheApiAndPoisonGoesToTheRejectedTopic() throws Exception {
    try (Aggregator aggregator = RunningAggregators.startRunning(RunningAggregators.config(stack, "it-agent-" + UUID.randomUUID(), dir.resolve("state")))) {
      Instant now = Instant.now().minusSeconds(30);
      RunningAggregators.publishAsTheAgentDoes(stack, dir.resolve("spool"), List.of(
          TestReports.at(UUID.randomUUID(), 80, now), TestReports.at(UUID.randomUUID(), 90, now), TestReports.at(UUID.randomUUID(), 100, now)));

      String url = aggregator.apiUrl() + "/api/v1/stats?model=" + MODEL;
      RunningAggregators.Answer answer = await(url, a -> a.status() == 200 && a.body().path("total").asInt() == 1
          && a.body().path("rows").get(0).path("rigCount").asInt() == 3, Duration.ofSeconds(60));
      assertThat(answer.body().path("rows").get(0).path("generationTokensPerSecond").path("median").asDouble()).isCloseTo(90.0, within(1e-6));
      assertThat(answer.body().path("rows").get(0).path("typicalSetup").path("label").asText()).isEqualTo("Q4_K_M · Ollama · Linux · 8K ctx");

      // A random-bytes record from a plain producer: rejected with its origin, and the stream goes on.
      byte[] poison = "definitely not avro".getBytes();
      try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(Map.of("bootstrap.servers", stack.bootstrapServers()), new ByteArraySerializer(), new ByteArraySerializer())) {
        raw.send(new ProducerRecord<>(Topics.REPORTS, "x".getBytes(), poison)).get();
      }
      RunningAggregators.publishAsTheAgentDoes(stack, dir.resolve("spool"), List.of(TestReports.at(UUID.randomUUID(), 110, now)));

      List<RejectedReport> rejected = TopicReader.values(stack.clientConfig(), Topics.REJECTED, new AvroDeserializer<>(RejectedReport.class), 1, Duration.ofSeconds(30));
      assertThat(rejected).singleElement().satisfies(r -> {
        assertThat(r.getReasonCode()).isEqualTo(Rejection.UNDECODABLE);
        assertThat(new String(r.getOriginalValue().array())).isEqualTo("definitely not avro");
        assertThat(r.getSourceTopic()).isEqualTo(Topics.REPORTS);
      });
      answer = await(url, a -> a.status() == 200 && a.body().path("rows").get(0).path("rigCount").asInt() == 4, Duration.ofSeconds(60));
      assertThat(answer.body().path("rows").get(0).path("rigCount").asInt()).isEqualTo(4);

      // The community view, the catalogs and where a rate stands.
      assertThat(get(aggregator.apiUrl() + "/api/v1/community/" + MODEL).body().path("rows").get(0).path("gpu").asText()).isEqualTo("nvidia-rtx-4090");
      assertThat(get(aggregator.apiUrl() + "/api/v1/models").body().path("models").get(0).path("id").asText()).isEqualTo(MODEL);
      String key = "model=" + MODEL + "&gpu=nvidia-rtx-4090&gpuCount=1&quant=Q4_K_M&runtime=ollama&ctx=8192&suite=tokbench-suite-1&offload=FULL_GPU&concurrency=1";
      RunningAggregators.Answer rank = get(aggregator.apiUrl() + "/api/v1/percentile?tps=95&" + key);
      assertThat(rank.body().path("percentile").asDouble()).isCloseTo(50.0, within(1e-9));
      assertThat(rank.body().path("summary").asText()).isEqualTo("your 95 tok/s is at the 50th percentile of nvidia-rtx-4090 · Q4_K_M · ollama · 8K");
      assertThat(get(aggregator.apiUrl() + "/api/v1/stats/row?" + key).body().path("rigCount").asInt()).isEqualTo(4);
      assertThat(get(aggregator.apiUrl() + "/api/v1/stats/row?" + key + "&backend=cuda").body().path("rigCount").asInt()).isEqualTo(4);

      // The same GPU under Vulkan is a row of its own; a request that leaves the backend out must now name it.
      BenchmarkReport vulkan = TestReports.at(UUID.randomUUID(), 70, now);
      vulkan.getRuntime().setBackend(Backend.VULKAN);
      RunningAggregators.publishAsTheAgentDoes(stack, dir.resolve("spool"), List.of(vulkan));
      await(url, a -> a.status() == 200 && a.body().path("total").asInt() == 2, Duration.ofSeconds(60));
      RunningAggregators.Answer ambiguous = get(aggregator.apiUrl() + "/api/v1/stats/row?" + key);
      assertThat(ambiguous.status()).isEqualTo(400);
      assertThat(ambiguous.body().path("parameter").asText()).isEqualTo("backend");
      assertThat(ambiguous.body().path("error").asText()).contains("CUDA and VULKAN");
      assertThat(get(aggregator.apiUrl() + "/api/v1/stats/row?" + key + "&backend=VULKAN").body().path("rigCount").asInt()).isEqualTo(1);
      assertThat(get(aggregator.apiUrl() + "/api/v1/stats/row?" + key + "&backend=CUDA").body().path("rigCount").asInt()).isEqualTo(4);
      assertThat(get(aggregator.apiUrl() + "/api/v1/stats/row?" + key + "&backend=OPENCL").body().path("parameter").asText()).isEqualTo("backend");
    }
  }

  @Test
  void badParametersAre400sNamingThemAndUnknownKeys404s() throws Exception {
    try (Aggregator aggregator = RunningAggregators.startRunning(RunningAggregators.config(stack, "it-params-" + UUID.randomUUID(), dir.resolve("state2")))) {
      RunningAggregators.Answer badCtx = get(aggregator.apiUrl() + "/api/v1/stats?ctx=eight");
      assertThat(badCtx.status()).isEqualTo(400);
      assertThat(badCtx.body().path("parameter").asText()).isEqualTo("ctx");
      assertThat(get(aggregator.apiUrl() + "/api/v1/stats?offload=GPU").body().path("parameter").asText()).isEqualTo("offload");
      assertThat(get(aggregator.apiUrl() + "/api/v1/stats?sort=speed").body().path("parameter").asText()).isEqualTo("sort");
      assertThat(get(aggregator.apiUrl() + "/api/v1/percentile?model=x").body().path("parameter").asText()).isEqualTo("tps");
      assertThat(get(aggregator.apiUrl() + "/api/v1/stats/row?model=x").body().path("parameter").asText()).isEqualTo("gpu");
      assertThat(get(aggregator.apiUrl() + "/api/v1/community/no-such-model").status()).isEqualTo(404);
      assertThat(get(aggregator.apiUrl() + "/api/v1/stats/row?model=x&gpu=y&gpuCount=1&quant=Q&runtime=r&ctx=1&suite=s&offload=FULL_GPU&concurrency=1").status()).isEqualTo(404);
      assertThat(get(aggregator.internalUrl() + "/ready").status()).isEqualTo(200);
      assertThat(get(aggregator.internalUrl() + "/health").status()).isEqualTo(200);
      assertThat(get(aggregator.internalUrl() + "/metrics").response().body()).contains("tokbench_query_latency_seconds_bucket");
      assertThat(get(aggregator.apiUrl() + "/api/v1/openapi.json").body().path("paths").fieldNames())
          .toIterable().contains("/api/v1/stats", "/api/v1/stats/row", "/api/v1/percentile", "/api/v1/community/{model}", "/api/v1/export",
              "/api/v1/estimate", "/api/v1/models/{model}", "/api/v1/calibration", "/api/v1/catalog/gpus", "/admin/v1/retractions", "/admin/v1/recalibrate");
    }
  }
}
