package io.tokbench.aggregator.support;

import io.tokbench.normalize.Normalization;
import io.tokbench.normalize.OrderStatistics;
import io.tokbench.schema.BenchmarkReport;
import io.tokbench.schema.Repetition;
import io.tokbench.schema.StatsKey;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The statistics tables as they must be for a given input, recomputed here from the reports alone
 * by the rules the README states, not by the aggregator's code: every report counted once under
 * its normalized key; a report's rate is the median of its repetitions' rates; each rig weighs
 * once, with the median of its reports' rates; the row's percentiles are taken over the rig
 * medians ({@link OrderStatistics}, the one percentile definition agent and aggregator share).
 */
public final class ExpectedTables {
  private ExpectedTables() {}

  /** The figures of one row that say whether every report was counted once. */
  public record Row(int rigCount, long reportCount, double median, double p90) {}

  /** Every row the input must produce. (Rigs with more reports per key than the aggregator keeps samples of are not handled: keep inputs below that.) */
  public static Map<StatsKey, Row> of(Collection<BenchmarkReport> input) {
    Map<StatsKey, Map<String, List<Double>>> ratesByKeyAndRig = new HashMap<>();
    for (BenchmarkReport report : input) {
      ratesByKeyAndRig.computeIfAbsent(Normalization.key(report), k -> new HashMap<>())
          .computeIfAbsent(report.getRigId().toString(), r -> new ArrayList<>())
          .add(rate(report));
    }
    Map<StatsKey, Row> rows = new HashMap<>();
    ratesByKeyAndRig.forEach((key, rigs) -> {
      double[] rigMedians = rigs.values().stream().mapToDouble(rates -> OrderStatistics.median(rates.stream().mapToDouble(Double::doubleValue).toArray()))
          .sorted().toArray();
      long reports = rigs.values().stream().mapToLong(List::size).sum();
      rows.put(key, new Row(rigs.size(), reports, OrderStatistics.percentile(rigMedians, 50), OrderStatistics.percentile(rigMedians, 90)));
    });
    return rows;
  }

  /** One model's or GPU's line of {@code /models} or {@code /gpus}: rows, reports, distinct rigs. */
  public record Tally(long rows, long reports, long rigs) {}

  /**
   * What {@code /models} ({@code byModel}) or {@code /gpus} must show for the input, per id: its
   * rows, reports, and rigs counted once however many rows they measured.
   */
  public static Map<String, Tally> tallies(Collection<BenchmarkReport> input, boolean byModel) {
    Map<String, java.util.Set<StatsKey>> rows = new HashMap<>();
    Map<String, Long> reports = new HashMap<>();
    Map<String, java.util.Set<String>> rigs = new HashMap<>();
    for (BenchmarkReport report : input) {
      StatsKey key = Normalization.key(report);
      String id = byModel ? key.getModel() : key.getGpu();
      rows.computeIfAbsent(id, k -> new java.util.HashSet<>()).add(key);
      reports.merge(id, 1L, Long::sum);
      rigs.computeIfAbsent(id, k -> new java.util.HashSet<>()).add(report.getRigId().toString());
    }
    Map<String, Tally> tallies = new java.util.TreeMap<>();
    rows.forEach((id, keys) -> tallies.put(id, new Tally(keys.size(), reports.get(id), rigs.get(id).size())));
    return tallies;
  }

  private static double rate(BenchmarkReport report) {
    double[] rates = new double[report.getRepetitions().size()];
    for (int i = 0; i < rates.length; i++) {
      Repetition rep = report.getRepetitions().get(i);
      rates[i] = rep.getGeneratedTokens() / (rep.getGenerationDurationNanos() / 1e9);
    }
    return OrderStatistics.median(rates);
  }
}
