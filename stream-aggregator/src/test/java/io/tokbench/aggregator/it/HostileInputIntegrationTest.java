package io.tokbench.aggregator.it;

import static io.tokbench.aggregator.support.RunningAggregators.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.tokbench.aggregator.app.Aggregator;
import io.tokbench.aggregator.support.HostileInputs;
import io.tokbench.aggregator.support.RunningAggregators;
import io.tokbench.aggregator.support.TestReports;
import io.tokbench.aggregator.topology.Topics;
import io.tokbench.aggregator.validate.Rejection;
import io.tokbench.registry.client.RegistryClientConfig;
import io.tokbench.registry.client.SchemaRegistryClient;
import io.tokbench.schema.BenchmarkReport;
import io.tokbench.schema.RejectedReport;
import io.tokbench.serde.AvroDeserializer;
import io.tokbench.serde.AvroSerializer;
import io.tokbench.testkit.KafkaStack;
import io.tokbench.testkit.TopicReader;
import io.tokbench.testkit.WithKafkaStack;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hostile contributions on a real broker, through the normal serializer and as raw bytes,
 * then 100 valid reports: all 100 are counted, each hostile one is in the rejected topic with its
 * reason, no stream thread was replaced, and {@code /ready} answered 200 throughout.
 */
@WithKafkaStack
class HostileInputIntegrationTest {
  private static final String MODEL = "deepseek-r1-distill-llama-8b";
  private final KafkaStack stack;
  @TempDir Path dir;

  HostileInputIntegrationTest(KafkaStack stack) {
    this.stack = stack;
  }

  @Test
  void hostileReportsAreRefusedForTheirReasonsAndTheServiceStaysUp() throws Exception {
    Instant now = Instant.now().minusSeconds(30);
    SchemaRegistryClient registry = new SchemaRegistryClient(RegistryClientConfig.fromConfigs(stack.clientConfig()));
    List<HostileInputs.Input> hostile = HostileInputs.all(registry, Topics.REPORTS + "-value", now);
    AvroSerializer<BenchmarkReport> serializer = new AvroSerializer<>();
    serializer.configure(stack.clientConfig(), false);

    try (Aggregator aggregator = RunningAggregators.startRunning(RunningAggregators.config(stack, "it-hostile-" + UUID.randomUUID(), dir.resolve("state")));
         ReadinessWatch ready = new ReadinessWatch(aggregator.internalUrl() + "/ready")) {
      Map<ByteBuffer, HostileInputs.Input> byValue = new HashMap<>();
      try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", stack.bootstrapServers()), new ByteArraySerializer(), new ByteArraySerializer())) {
        for (HostileInputs.Input input : hostile) {
          byte[] value = input.report() != null ? serializer.serialize(Topics.REPORTS, input.report()) : input.raw();
          byValue.put(ByteBuffer.wrap(value), input);
          producer.send(new ProducerRecord<>(Topics.REPORTS, ("hostile-" + byValue.size()).getBytes(), value));
        }
        List<BenchmarkReport> valid = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
          valid.add(TestReports.at(UUID.randomUUID(), 40 + i, now));
        }
        for (BenchmarkReport report : valid) {
          producer.send(new ProducerRecord<>(Topics.REPORTS, (report.getRigId() + "/" + report.getModel().getName()).getBytes(), serializer.serialize(Topics.REPORTS, report)));
        }
        producer.flush();
      }

      RunningAggregators.Answer answer = await(aggregator.apiUrl() + "/api/v1/stats?model=" + MODEL + "&ctx=8192&quant=Q4_K_M&concurrency=1&offload=FULL_GPU",
          a -> a.status() == 200 && a.body().path("rows").path(0).path("rigCount").asInt() >= 100, Duration.ofSeconds(120));
      assertThat(answer.body().path("rows").path(0).path("rigCount").asInt()).as("all 100 valid reports counted").isGreaterThanOrEqualTo(100);

      long refusable = hostile.stream().filter(i -> i.expectedReason() != null).count();
      List<RejectedReport> rejected = TopicReader.values(Map.of("bootstrap.servers", stack.bootstrapServers(), "schema.registry.url", stack.registryUrl(),
          "isolation.level", "read_committed"), Topics.REJECTED, new AvroDeserializer<>(RejectedReport.class), (int) refusable, Duration.ofSeconds(60));
      Map<String, String> verdicts = new HashMap<>();
      for (RejectedReport r : rejected) {
        HostileInputs.Input input = byValue.get(r.getOriginalValue());
        assertThat(input).as("a rejected record that was sent: %s", r.getMessage()).isNotNull();
        verdicts.put(input.description(), r.getReasonCode());
        assertThat(r.getMessage()).as(input.description()).doesNotContainPattern(io.tokbench.aggregator.support.MessagesForPeople.JAVA_INTERNALS);
      }
      for (HostileInputs.Input input : hostile) {
        if (input.expectedReason() != null) {
          assertThat(verdicts.get(input.description())).as(input.description()).isEqualTo(input.expectedReason());
        }
      }
      assertThat(verdicts).doesNotContainValue(Rejection.PROCESSING_FAILED);
      assertThat(aggregator.metrics().threadReplacementCount()).as("stream threads replaced").isZero();
      assertThat(ready.notReady()).as("answers of /ready other than 200, of %d", ready.checks()).isZero();
      assertThat(ready.checks()).isGreaterThan(10);
    }
  }

  /** Asks /ready every 50 ms in the background and counts the answers that were not 200. */
  private static final class ReadinessWatch implements AutoCloseable {
    private final AtomicInteger checks = new AtomicInteger();
    private final AtomicInteger notReady = new AtomicInteger();
    private final Thread thread;
    private volatile boolean running = true;

    ReadinessWatch(String url) {
      thread = new Thread(() -> {
        while (running) {
          checks.incrementAndGet();
          try {
            if (RunningAggregators.get(url).status() != 200) {
              notReady.incrementAndGet();
            }
          } catch (IllegalStateException e) {
            notReady.incrementAndGet();
          }
          try {
            Thread.sleep(50);
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "readiness-watch");
      thread.start();
    }

    int checks() {
      return checks.get();
    }

    int notReady() {
      return notReady.get();
    }

    @Override
    public void close() throws InterruptedException {
      running = false;
      thread.join(2_000);
    }
  }
}
