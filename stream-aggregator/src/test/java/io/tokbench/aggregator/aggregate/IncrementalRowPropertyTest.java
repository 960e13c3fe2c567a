package io.tokbench.aggregator.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokbench.aggregator.state.ReportSample;
import io.tokbench.aggregator.state.RigContribution;
import io.tokbench.aggregator.state.RigSummary;
import io.tokbench.normalize.OrderStatistics;
import io.tokbench.schema.OffloadClass;
import io.tokbench.schema.StatsKey;
import io.tokbench.schema.StatsRow;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The row kept incrementally (one rig moved at a time, as the aggregate step does) equals the row
 * recomputed by brute force from every rig's window, after any sequence of reports, report
 * retractions and rig retractions: exact percentiles stay exact.
 */
class IncrementalRowPropertyTest {
  private static final StatsKey KEY = new StatsKey("m", "nvidia-rtx-4090", 1, "Q4_K_M", "ollama", 8192, "tokbench-suite-1", OffloadClass.FULL_GPU, 1, "CUDA");

  /** One step: a rig reports a rate, a report is withdrawn, or a whole rig is. */
  record Op(int kind, int rig, double rate, int pick) {}

  @Property(tries = 2_000)
  void theIncrementalRowEqualsTheRecomputationAfterEveryStep(@ForAll("operations") List<Op> ops) {
    Map<Integer, RigContribution> windows = new HashMap<>();
    Map<Integer, RigSummary> summaries = new HashMap<>();
    RowStatistics incremental = new RowStatistics();
    List<String> reportIds = new ArrayList<>();
    long clock = 1_000;
    for (Op op : ops) {
      switch (op.kind()) {
        case 0, 1, 2 -> {
          String id = "r" + reportIds.size();
          reportIds.add(id);
          ReportSample sample = sample(id, clock++, op.rate(), op.rig());
          RigContribution window = RigContributions.add(windows.get(op.rig()), sample);
          RigSummary next = RigSummaries.of(window);
          incremental.replace(summaries.get(op.rig()), next);
          windows.put(op.rig(), window);
          summaries.put(op.rig(), next);
        }
        case 3 -> {
          if (reportIds.isEmpty()) {
            continue;
          }
          String id = reportIds.get(op.pick() % reportIds.size());
          for (Map.Entry<Integer, RigContribution> entry : new ArrayList<>(windows.entrySet())) {
            if (entry.getValue().getSamples().stream().anyMatch(s -> s.getReportId().equals(id))) {
              Optional<RigContribution> remaining = RigContributions.without(entry.getValue(), id);
              RigSummary previous = summaries.get(entry.getKey());
              if (remaining.isPresent()) {
                RigSummary next = RigSummaries.of(remaining.get());
                incremental.replace(previous, next);
                windows.put(entry.getKey(), remaining.get());
                summaries.put(entry.getKey(), next);
              } else {
                incremental.remove(previous);
                windows.remove(entry.getKey());
                summaries.remove(entry.getKey());
              }
            }
          }
        }
        default -> {
          RigSummary gone = summaries.remove(op.rig());
          if (gone != null) {
            incremental.remove(gone);
            windows.remove(op.rig());
          }
        }
      }
      assertThat(incremental.rigCount()).isEqualTo(windows.size());
      if (!windows.isEmpty()) {
        StatsRow kept = incremental.toRow(KEY);
        assertThat(kept).isEqualTo(StatsCalculator.row(KEY, new ArrayList<>(windows.values())));
        double[] medians = windows.values().stream().mapToDouble(StatsCalculator::rigGenerationMedian).sorted().toArray();
        assertThat(kept.getGenerationTokensPerSecond().getP10()).isEqualTo(OrderStatistics.percentile(medians, 10));
        assertThat(kept.getGenerationTokensPerSecond().getMedian()).isEqualTo(OrderStatistics.percentile(medians, 50));
        assertThat(kept.getGenerationTokensPerSecond().getP90()).isEqualTo(OrderStatistics.percentile(medians, 90));
      }
    }
  }

  @Provide
  Arbitrary<List<Op>> operations() {
    // Few rigs and few distinct rates: equal values and repeated updates are the hard cases.
    Arbitrary<Double> rates = Arbitraries.oneOf(Arbitraries.of(50.0, 60.0, 60.0, 75.5), Arbitraries.doubles().between(1, 500).ofScale(2));
    Arbitrary<Op> op = Combinators.combine(Arbitraries.integers().between(0, 4), Arbitraries.integers().between(0, 7), rates, Arbitraries.integers().between(0, 1000))
        .as(Op::new);
    return op.list().ofMinSize(1).ofMaxSize(120);
  }

  private static ReportSample sample(String id, long measuredAt, double rate, int rig) {
    return ReportSample.newBuilder()
        .setReportId(id)
        .setMeasuredAt(measuredAt)
        .setGenerationTokensPerSecond(rate)
        .setPromptTokensPerSecond(rig % 3 == 0 ? null : rate * 40)
        .setTimeToFirstTokenMillis(rig % 2 == 0 ? null : 1000 / rate)
        .setOs(rig % 2 == 0 ? "linux" : "windows")
        .setRuntimeVersion("0." + (measuredAt % 3))
        .setBackend("CUDA")
        .setFileSizeBytes(rig % 4 == 0 ? null : 4_000_000_000L + rig)
        .setVramUsedBytes(6_000_000_000L + (long) rate)
        // A rig's facts change between its reports (a re-quantized upload, an updated runtime): each move must be undone exactly.
        .setExpertCount(rig % 3 == 0 ? null : 64 << (measuredAt % 2))
        .setExpertUsedCount(rig % 3 == 0 ? null : 8)
        .setAttentionWidth(rig % 5 == 0 ? null : 131_072L * (1 + measuredAt % 3))
        .build();
  }
}
