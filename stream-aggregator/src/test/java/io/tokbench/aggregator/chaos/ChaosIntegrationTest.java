package io.tokbench.aggregator.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka's promise under the faults a deployment meets: a broker lost, an instance killed again and
 * again, the registry away. Each scenario ends with every published row, through the API and on
 * tokbench.stats, equal to a recomputation from the full input: nothing lost, nothing counted
 * twice. Sized for CI; {@code ChaosBenchmark} runs them longer.
 */
class ChaosIntegrationTest {
  /** Kept when a scenario fails: the instances' logs are in it. */
  @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir;

  @Test
  @Timeout(value = 8, unit = TimeUnit.MINUTES)
  void aBrokerKilledMidStreamLosesNothingAndCountsNothingTwice() throws Exception {
    ChaosScenarios.Result result = ChaosScenarios.brokerLoss(dir, 20_000, Duration.ofSeconds(40), Duration.ofSeconds(20));
    result.print(System.out);
    assertThat(result.api()).as("the API lists the rows: %s", result.apiRefusal()).isNotNull();
    assertThat(result.api().differences()).as(result.api().summary()).isEmpty();
    assertThat(result.topic().differences()).as(result.topic().summary()).isEmpty();
    assertThat(result.exact()).as("every report counted exactly once").isTrue();
    assertThat(result.figures().get("reports counted while the broker was down")).as("processing went on without the broker").isPositive();
  }

  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES)
  void anInstanceKilledTenTimesLosesNothingAndCountsNothingTwice() throws Exception {
    ChaosScenarios.Result result = ChaosScenarios.instanceKills(dir, 50_000, 10, Duration.ofSeconds(100), 13);
    result.print(System.out);
    assertThat(result.topic().differences()).as(result.topic().summary()).isEmpty();
    // An instance restarted on an empty state directory may hold no active task until the next
    // probing rebalance (KIP-441 warm-up, up to 10 min); meanwhile it answers 500 for its share
    // of a list and every instance refuses lists with 503 (issue 13, item 4). The topic check
    // above is the exact one then; once the API can serve such an instance, make this strict.
    if (result.api() != null) {
      assertThat(result.api().differences()).as(result.api().summary()).isEmpty();
    }
    assertThat(result.exact()).as("every report counted exactly once").isTrue();
  }

  @Test
  @Timeout(value = 8, unit = TimeUnit.MINUTES)
  void theRegistryAwayForThirtySecondsRejectsNoValidReport() throws Exception {
    ChaosScenarios.Result result = ChaosScenarios.registryOutage(dir, 20_000, Duration.ofSeconds(60), Duration.ofSeconds(30));
    result.print(System.out);
    assertThat(result.figures().get("agent reports kept in the spool during the outage")).as("the agent cannot encode without the registry: it keeps them").isEqualTo(20);
    assertThat(result.figures().get("agent reports delivered by the next flush")).isEqualTo(20);
    assertThat(result.figures().get("reports rejected as UNKNOWN_SCHEMA_ID")).isZero();
    assertThat(result.figures().get("reports rejected")).as("every report of the stream is valid").isZero();
    assertThat(result.api()).as("the API lists the rows: %s", result.apiRefusal()).isNotNull();
    assertThat(result.api().differences()).as(result.api().summary()).isEmpty();
    assertThat(result.topic().differences()).as(result.topic().summary()).isEmpty();
    assertThat(result.exact()).as("every report counted exactly once").isTrue();
  }
}
