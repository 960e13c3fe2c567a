package io.tokbench.aggregator.it;

import static io.tokbench.aggregator.support.RunningAggregators.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.tokbench.aggregator.app.Aggregator;
import io.tokbench.aggregator.support.RunningAggregators;
import io.tokbench.aggregator.support.TestReports;
import io.tokbench.aggregator.topology.Topics;
import io.tokbench.aggregator.validate.Rejection;
import io.tokbench.schema.BenchmarkReport;
import io.tokbench.schema.RejectedReport;
import io.tokbench.schema.Retraction;
import io.tokbench.serde.AvroDeserializer;
import io.tokbench.serde.AvroSerializer;
import io.tokbench.testkit.KafkaStack;
import io.tokbench.testkit.TopicReader;
import io.tokbench.testkit.WithKafkaStack;
import java.nio.charset.StandardCharsets;
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

/**
 * Retractions survive restarts: a retracted rig's later reports and a report retracted before it
 * arrived are refused by an instance restarted on its state directory, and by one restored from
 * the changelogs onto an empty directory.
 */
@WithKafkaStack
class DurableRetractionIntegrationTest {
  private static final String MODEL = "deepseek-r1-distill-llama-8b";
  private final KafkaStack stack;
  @TempDir Path dir;

  DurableRetractionIntegrationTest(KafkaStack stack) {
    this.stack = stack;
  }

  @Test
  void retractionsHoldAcrossARestartAndARestoreFromTheChangelogs() throws Exception {
    String app = "it-retraction-" + UUID.randomUUID();
    UUID abuser = UUID.randomUUID();
    UUID honest = UUID.randomUUID();
    Instant now = Instant.now().minusSeconds(30);
    BenchmarkReport spooled = TestReports.at(honest, 300, now);

    try (Aggregator first = RunningAggregators.startRunning(RunningAggregators.config(stack, app, dir.resolve("state")))) {
      RunningAggregators.publishAsTheAgentDoes(stack, dir.resolve("spool"), List.of(TestReports.at(honest, 80, now), TestReports.at(abuser, 190, now)));
      awaitRigs(first, 2);
      retract(Retraction.newBuilder().setRigId(abuser).setReason("abuse").setRequestedAt(Instant.now()).build());
      retract(Retraction.newBuilder().setReportId(spooled.getReportId()).setReason("known bad run").setRequestedAt(Instant.now()).build());
      awaitRigs(first, 1);
      // The rig's retraction shows in its row; the report's shows nowhere yet, so wait until it is
      // consumed (and its broadcast committed ahead of any later report) before stopping.
      RunningAggregators.awaitConsumed(stack, app, Topics.RETRACTIONS, Duration.ofSeconds(60));
    }

    // Restarted on its own state directory: the abuser's new report and the spooled one are refused.
    try (Aggregator second = RunningAggregators.startRunning(RunningAggregators.config(stack, app, dir.resolve("state")))) {
      RunningAggregators.publishAsTheAgentDoes(stack, dir.resolve("spool"), List.of(TestReports.at(abuser, 200, now), spooled));
      awaitRejected(Rejection.RETRACTED, 2);
      assertRow(second, 1, 80.0);
    }

    // On an empty state directory the stores are restored from their changelogs: still refused.
    try (Aggregator third = RunningAggregators.startRunning(RunningAggregators.config(stack, app, dir.resolve("empty")))) {
      RunningAggregators.publishAsTheAgentDoes(stack, dir.resolve("spool"), List.of(TestReports.at(abuser, 210, now), TestReports.at(honest, 100, now)));
      awaitRejected(Rejection.RETRACTED, 3);
      RunningAggregators.Answer answer = await(third.apiUrl() + "/api/v1/stats?model=" + MODEL,
          a -> a.status() == 200 && a.body().path("rows").path(0).path("reportCount").asLong() == 2, Duration.ofSeconds(60));
      assertThat(answer.body().path("rows").path(0).path("rigCount").asInt()).as("only the honest rig").isEqualTo(1);
      assertThat(answer.body().path("rows").path(0).path("generationTokensPerSecond").path("median").asDouble()).isEqualTo(90.0);
    }
  }

  private void retract(Retraction retraction) throws Exception {
    AvroSerializer<Retraction> serializer = new AvroSerializer<>();
    serializer.configure(stack.clientConfig(), false);
    String key = retraction.getRigId() != null ? "rig:" + retraction.getRigId() : "report:" + retraction.getReportId();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", stack.bootstrapServers()), new ByteArraySerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(Topics.RETRACTIONS, key.getBytes(StandardCharsets.UTF_8), serializer.serialize(Topics.RETRACTIONS, retraction))).get();
    }
  }

  private void awaitRigs(Aggregator aggregator, int rigs) throws InterruptedException {
    RunningAggregators.Answer answer = await(aggregator.apiUrl() + "/api/v1/stats?model=" + MODEL,
        a -> a.status() == 200 && a.body().path("rows").path(0).path("rigCount").asInt() == rigs, Duration.ofSeconds(60));
    assertThat(answer.body().path("rows").path(0).path("rigCount").asInt()).isEqualTo(rigs);
  }

  private void assertRow(Aggregator aggregator, int rigs, double median) throws InterruptedException {
    RunningAggregators.Answer answer = await(aggregator.apiUrl() + "/api/v1/stats?model=" + MODEL, a -> a.status() == 200, Duration.ofSeconds(60));
    assertThat(answer.body().path("rows").path(0).path("rigCount").asInt()).isEqualTo(rigs);
    assertThat(answer.body().path("rows").path(0).path("reportCount").asLong()).isEqualTo(1);
    assertThat(answer.body().path("rows").path(0).path("generationTokensPerSecond").path("median").asDouble()).isEqualTo(median);
  }

  private void awaitRejected(String reason, int count) {
    List<RejectedReport> rejected = TopicReader.values(Map.of("bootstrap.servers", stack.bootstrapServers(), "schema.registry.url", stack.registryUrl(),
        "isolation.level", "read_committed"), Topics.REJECTED, new AvroDeserializer<>(RejectedReport.class), count, Duration.ofSeconds(60));
    assertThat(rejected).extracting(RejectedReport::getReasonCode).containsOnly(reason).hasSize(count);
  }
}
