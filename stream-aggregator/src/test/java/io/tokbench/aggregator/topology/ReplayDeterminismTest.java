package io.tokbench.aggregator.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokbench.aggregator.support.AggregatorDriver;
import io.tokbench.aggregator.support.TestReports;
import io.tokbench.aggregator.validate.Rejection;
import io.tokbench.schema.BenchmarkReport;
import io.tokbench.schema.CommunityRow;
import io.tokbench.schema.RejectedReport;
import io.tokbench.schema.Retraction;
import io.tokbench.schema.StatsKey;
import io.tokbench.schema.StatsRow;
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
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Re-processing the reports topic gives the same tables whatever the day: every rule about time
 * reads the broker's append time stored with each record, never the clock of the instance doing the
 * processing. Run once as it happened, then again by a fresh application a year later.
 */
@WithKafkaStack
class ReplayDeterminismTest {
  private static final Instant DAY_ONE = Instant.parse("2026-03-01T08:00:00Z");
  private final KafkaStack stack;
  @TempDir Path stateDir;

  ReplayDeterminismTest(KafkaStack stack) {
    this.stack = stack;
  }

  @Test
  void aFreshApplicationAYearLaterComputesIdenticalTables() {
    List<Consumer<AggregatorDriver>> history = history();
    Run original = run(DAY_ONE, history, stateDir.resolve("original"));
    Run replay = run(DAY_ONE.plus(Duration.ofDays(365)), history, stateDir.resolve("replay"));

    assertThat(original.stats()).hasSize(3);
    assertThat(original.rejectedReasons()).contains(Rejection.TOO_OLD, Rejection.FUTURE_TIMESTAMP, Rejection.RETRACTED);
    assertThat(replay.stats()).isEqualTo(original.stats());
    assertThat(replay.community()).isEqualTo(original.community());
    assertThat(replay.rejectedReasons()).isEqualTo(original.rejectedReasons());
  }

  private record Run(Map<StatsKey, StatsRow> stats, Map<String, CommunityRow> community, List<String> rejectedReasons) {}

  private Run run(Instant wallClock, List<Consumer<AggregatorDriver>> history, Path dir) {
    try (AggregatorDriver driver = new AggregatorDriver(stack, dir, wallClock)) {
      history.forEach(step -> step.accept(driver));
      driver.emitRows();
      return new Run(driver.statsTopic(), driver.communityTopic(), driver.rejected().stream().map(RejectedReport::getReasonCode).toList());
    }
  }

  /** Two weeks of arrivals: reports from 30 rigs on three models, some too old, some from the future, a retraction. */
  private static List<Consumer<AggregatorDriver>> history() {
    Random random = new Random(7);
    List<UUID> rigs = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      rigs.add(new UUID(7, i));
    }
    List<Consumer<AggregatorDriver>> steps = new ArrayList<>();
    Instant arrival = DAY_ONE;
    for (int i = 0; i < 300; i++) {
      arrival = arrival.plusSeconds(random.nextInt(4_000));
      Instant appended = arrival;
      UUID rig = rigs.get(random.nextInt(rigs.size()));
      Instant measured = switch (i % 50) {
        case 7 -> appended.minus(Duration.ofDays(400)); // too old when it arrives
        case 13 -> appended.plus(Duration.ofHours(2)); // from the future when it arrives
        default -> appended.minusSeconds(random.nextInt(600));
      };
      BenchmarkReport report = TestReports.forModel(TestReports.at(rig, 40 + random.nextInt(80), measured), "model-" + (i % 3));
      BenchmarkReport fixed = BenchmarkReport.newBuilder(report).setReportId(new UUID(8, i)).build();
      steps.add(driver -> driver.pipe(fixed, appended));
      if (i == 150) {
        steps.add(driver -> driver.retract(Retraction.newBuilder().setRigId(rigs.get(3)).setReason("abuse").setRequestedAt(appended).build(), appended));
      }
      if (i % 40 == 0) {
        steps.add(AggregatorDriver::emitRows);
      }
    }
    return steps;
  }
}
