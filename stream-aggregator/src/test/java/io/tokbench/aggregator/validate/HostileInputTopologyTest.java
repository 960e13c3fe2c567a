package io.tokbench.aggregator.validate;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokbench.aggregator.support.AggregatorDriver;
import io.tokbench.aggregator.support.HostileInputs;
import io.tokbench.aggregator.support.TestReports;
import io.tokbench.aggregator.topology.Topics;
import io.tokbench.registry.client.RegistryClientConfig;
import io.tokbench.registry.client.SchemaRegistryClient;
import io.tokbench.schema.RejectedReport;
import io.tokbench.schema.StatsRow;
import io.tokbench.testkit.KafkaStack;
import io.tokbench.testkit.WithKafkaStack;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every hostile contribution, through the whole topology: each is refused for its reason with a
 * message a person can read, nothing fails, and the valid reports after them are all counted.
 */
@WithKafkaStack
class HostileInputTopologyTest {
  private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");
  private final KafkaStack stack;
  @TempDir Path stateDir;

  HostileInputTopologyTest(KafkaStack stack) {
    this.stack = stack;
  }

  @Test
  void everyHostileInputIsRefusedForItsReasonAndTheValidOnesAfterThemAreAllCounted() {
    SchemaRegistryClient registry = new SchemaRegistryClient(RegistryClientConfig.fromConfigs(Map.of("schema.registry.url", stack.registryUrl())));
    List<HostileInputs.Input> hostile = HostileInputs.all(registry, Topics.REPORTS + "-value", NOW.minusSeconds(60));
    try (AggregatorDriver driver = new AggregatorDriver(stack, stateDir, NOW)) {
      for (HostileInputs.Input input : hostile) {
        long before = driver.metrics().acceptedCount() + rejections(driver);
        if (input.report() != null) {
          driver.publish(input.report());
        } else {
          driver.publishRaw(input.raw());
        }
        List<RejectedReport> rejected = driver.rejected();
        long outcomes = driver.metrics().acceptedCount() + rejections(driver) - before;
        assertThat(outcomes).as("%s: exactly one verdict", input).isEqualTo(1);
        if (input.expectedReason() != null) {
          assertThat(rejected).as(input.description()).singleElement().satisfies(r -> {
            assertThat(r.getReasonCode()).as(input.description()).isEqualTo(input.expectedReason());
            assertThat(r.getMessage()).as(input.description()).doesNotContainPattern(io.tokbench.aggregator.support.MessagesForPeople.JAVA_INTERNALS);
          });
        }
        assertThat(rejected).extracting(RejectedReport::getReasonCode).as(input.description()).doesNotContain(Rejection.PROCESSING_FAILED);
      }
      assertThat(driver.metrics().rejectedCounts()).doesNotContainKey(Rejection.PROCESSING_FAILED);

      driver.statsTopic(); // what the sweep's legal values made is not the point here
      for (int i = 0; i < 100; i++) {
        driver.publish(TestReports.at(UUID.randomUUID(), 50 + i, NOW.minusSeconds(30)));
      }
      Map<io.tokbench.schema.StatsKey, StatsRow> rows = driver.statsTopic();
      StatsRow row = rows.values().stream().filter(r -> r.getKey().getModel().equals("deepseek-r1-distill-llama-8b") && r.getKey().getContextBucket() == 8192)
          .reduce((a, b) -> b).orElseThrow();
      assertThat(row.getRigCount()).isGreaterThanOrEqualTo(100);
      assertThat(driver.rejected()).isEmpty();
    }
  }

  private static long rejections(AggregatorDriver driver) {
    return driver.metrics().rejectedCounts().values().stream().mapToLong(Long::longValue).sum()
        + driver.metrics().duplicateCount();
  }
}
