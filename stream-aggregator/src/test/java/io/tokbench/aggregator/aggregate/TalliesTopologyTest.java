package io.tokbench.aggregator.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokbench.aggregator.normalize.StatsKeys;
import io.tokbench.aggregator.state.RigContribution;
import io.tokbench.aggregator.state.Tally;
import io.tokbench.aggregator.support.AggregatorDriver;
import io.tokbench.aggregator.support.TestReports;
import io.tokbench.aggregator.topology.AggregatorTopology;
import io.tokbench.schema.BenchmarkReport;
import io.tokbench.schema.Gpu;
import io.tokbench.schema.Hardware;
import io.tokbench.schema.Retraction;
import io.tokbench.schema.StatsRow;
import io.tokbench.testkit.KafkaStack;
import io.tokbench.testkit.WithKafkaStack;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code /models} and {@code /gpus} show is kept by the stream, not counted per request: after
 * any sequence of reports, report retractions and rig retractions, each model's and GPU's kept
 * tally equals a count over the rows and rig windows the aggregate holds.
 */
@WithKafkaStack
class TalliesTopologyTest {
  private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");
  private static final List<String> MODELS = List.of("model-a", "model-b", "model-c", "model-d");
  private static final List<String> GPUS = List.of("NVIDIA GeForce RTX 4090", "NVIDIA GeForce RTX 3090", "AMD Radeon RX 7900 XTX");
  private final KafkaStack stack;
  @TempDir Path stateDir;

  TalliesTopologyTest(KafkaStack stack) {
    this.stack = stack;
  }

  @Test
  void theKeptTalliesEqualACountOfRowsReportsAndRigsAfterEveryStep() {
    for (long seed = 1; seed <= 4; seed++) {
      Random random = new Random(seed);
      try (AggregatorDriver driver = new AggregatorDriver(stack, stateDir.resolve("seed-" + seed), NOW)) {
        List<UUID> rigs = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
          rigs.add(new UUID(seed, i));
        }
        List<UUID> reportIds = new ArrayList<>();
        for (int step = 0; step < 60; step++) {
          int op = random.nextInt(10);
          if (op < 7 || reportIds.isEmpty()) {
            BenchmarkReport report = report(rigs.get(random.nextInt(rigs.size())), MODELS.get(random.nextInt(MODELS.size())),
                GPUS.get(random.nextInt(GPUS.size())), 40 + random.nextInt(60));
            reportIds.add(report.getReportId());
            driver.publish(report);
          } else if (op < 9) {
            UUID id = reportIds.get(random.nextInt(reportIds.size()));
            driver.retract(Retraction.newBuilder().setReportId(id).setReason("test").setRequestedAt(NOW).build());
          } else {
            UUID rig = rigs.get(random.nextInt(rigs.size()));
            driver.retract(Retraction.newBuilder().setRigId(rig).setReason("test").setRequestedAt(NOW).build());
          }
          assertThat(kept(driver)).as("seed %d, step %d", seed, step).isEqualTo(counted(driver));
          assertThat(keptGpuRigs(driver)).as("seed %d, step %d: distinct rigs per GPU", seed, step).isEqualTo(countedGpuRigs(driver));
        }
        assertThat(kept(driver)).as("the sequence left something to count").isNotEmpty();
      }
    }
  }

  private static BenchmarkReport report(UUID rig, String model, String gpu, double rate) {
    BenchmarkReport base = TestReports.forModel(TestReports.at(rig, rate, NOW.minusSeconds(60)), model);
    Gpu card = Gpu.newBuilder(base.getHardware().getGpus().get(0)).setRawName(gpu).setCanonicalId(null).build();
    return BenchmarkReport.newBuilder(base).setHardware(Hardware.newBuilder(base.getHardware()).setGpus(List.of(card)).build()).build();
  }

  /** The tallies store as "m model" / "g gpu" → rows, reports, rigs in the partition. */
  private static Map<String, List<Long>> kept(AggregatorDriver driver) {
    Map<String, List<Long>> kept = new TreeMap<>();
    try (KeyValueIterator<String, Tally> it = driver.<Tally>store(AggregatorTopology.TALLIES_STORE).all()) {
      it.forEachRemaining(kv -> kept.put(kv.key, List.of(kv.value.getRows(), kv.value.getReports(), kv.value.getRigs())));
    }
    return kept;
  }

  /** The same, counted from the rows and the rigs' windows. */
  private static Map<String, List<Long>> counted(AggregatorDriver driver) {
    Map<String, long[]> counts = new HashMap<>();
    try (KeyValueIterator<String, StatsRow> it = driver.statsStore().all()) {
      it.forEachRemaining(kv -> {
        for (String key : List.of(PartitionTallies.model(StatsKeys.modelOf(kv.key)), PartitionTallies.gpu(StatsKeys.gpuOf(kv.key)))) {
          long[] c = counts.computeIfAbsent(key, k -> new long[3]);
          c[0]++;
          c[1] += kv.value.getReportCount();
        }
      });
    }
    rigsBy(driver, true).forEach((model, rigs) -> counts.computeIfAbsent(PartitionTallies.model(model), k -> new long[3])[2] = rigs.size());
    rigsBy(driver, false).forEach((gpu, rigs) -> counts.computeIfAbsent(PartitionTallies.gpu(gpu), k -> new long[3])[2] = rigs.size());
    Map<String, List<Long>> counted = new TreeMap<>();
    counts.forEach((key, c) -> counted.put(key, List.of(c[0], c[1], c[2])));
    return counted;
  }

  private static Map<String, Long> keptGpuRigs(AggregatorDriver driver) {
    Map<String, Long> kept = new TreeMap<>();
    try (KeyValueIterator<String, Long> it = driver.<Long>store(AggregatorTopology.GPU_RIGS_STORE).all()) {
      it.forEachRemaining(kv -> kept.put(kv.key, kv.value));
    }
    return kept;
  }

  private static Map<String, Long> countedGpuRigs(AggregatorDriver driver) {
    Map<String, Long> counted = new TreeMap<>();
    rigsBy(driver, false).forEach((gpu, rigs) -> counted.put(gpu, (long) rigs.size()));
    return counted;
  }

  /** Distinct rigs with a window in a row, per model or per GPU. */
  private static Map<String, Set<String>> rigsBy(AggregatorDriver driver, boolean byModel) {
    Map<String, Set<String>> rigs = new HashMap<>();
    try (KeyValueIterator<String, RigContribution> it = driver.<RigContribution>store(AggregatorTopology.CONTRIBUTIONS_STORE).all()) {
      it.forEachRemaining(kv -> {
        String statsKey = RigContributions.statsKeyOf(kv.key);
        String subject = byModel ? StatsKeys.modelOf(statsKey) : StatsKeys.gpuOf(statsKey);
        rigs.computeIfAbsent(subject, k -> new HashSet<>()).add(RigContributions.rigOf(kv.key));
      });
    }
    return rigs;
  }
}
