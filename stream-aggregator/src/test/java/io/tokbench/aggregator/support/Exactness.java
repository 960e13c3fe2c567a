package io.tokbench.aggregator.support;

import io.tokbench.schema.StatsKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How a table the aggregator published compares with the recomputation from the full input:
 * rows missing, rows that should not exist, and rows whose counts or percentiles differ.
 *
 * @param reportsIn reports in the input
 * @param reportsCounted the sum of the published rows' report counts
 * @param rowsChecked rows compared with their recomputation
 */
public record Exactness(String source, long reportsIn, long reportsCounted, int rowsExpected, int rowsChecked, List<String> differences) {
  private static final double TOLERANCE = 1e-9;

  public static Exactness compare(String source, long reportsIn, Map<StatsKey, ExpectedTables.Row> expected, Map<StatsKey, ExpectedTables.Row> published) {
    List<String> differences = new ArrayList<>();
    long counted = published.values().stream().mapToLong(ExpectedTables.Row::reportCount).sum();
    int checked = 0;
    for (Map.Entry<StatsKey, ExpectedTables.Row> entry : expected.entrySet()) {
      ExpectedTables.Row got = published.get(entry.getKey());
      ExpectedTables.Row want = entry.getValue();
      if (got == null) {
        differences.add("missing row " + label(entry.getKey()) + " (expected " + want + ")");
        continue;
      }
      checked++;
      if (got.rigCount() != want.rigCount() || got.reportCount() != want.reportCount()
          || Math.abs(got.median() - want.median()) > TOLERANCE || Math.abs(got.p90() - want.p90()) > TOLERANCE) {
        differences.add("row " + label(entry.getKey()) + ": published " + got + ", recomputed " + want);
      }
    }
    for (StatsKey key : published.keySet()) {
      if (!expected.containsKey(key)) {
        differences.add("unexpected row " + label(key) + ": " + published.get(key));
      }
    }
    return new Exactness(source, reportsIn, counted, expected.size(), checked, List.copyOf(differences));
  }

  public boolean exact() {
    return differences.isEmpty() && reportsCounted == reportsIn;
  }

  /** "stats topic: 50,000 reports in, 50,000 counted, 40 of 40 rows checked, 0 differences". */
  public String summary() {
    return String.format("%s: %,d reports in, %,d counted (%,d lost, %,d counted twice), %d of %d rows checked, %d differences",
        source, reportsIn, reportsCounted, Math.max(0, reportsIn - reportsCounted), Math.max(0, reportsCounted - reportsIn), rowsChecked, rowsExpected,
        differences.size());
  }

  private static String label(StatsKey key) {
    return key.getModel() + "|" + key.getGpu() + "|" + key.getGpuCount() + "|" + key.getQuantization() + "|" + key.getRuntime() + "|" + key.getContextBucket()
        + "|" + key.getSuiteId() + "|" + key.getOffloadClass() + "|" + key.getConcurrency();
  }
}
