package io.tokbench.aggregator.aggregate;

import io.tokbench.aggregator.state.RigContribution;
import io.tokbench.schema.StatsKey;
import io.tokbench.schema.StatsRow;
import java.util.List;

/**
 * A statistics row computed from scratch from the rigs behind a key: what the incrementally kept
 * row must always equal (the restart and property tests hold it to that).
 */
public final class StatsCalculator {
  private StatsCalculator() {}

  public static StatsRow row(StatsKey key, List<RigContribution> rigs) {
    return RowStatistics.of(rigs.stream().map(RigSummaries::of).toList()).toRow(key);
  }

  /** A rig's own median generation rate over its samples. */
  public static double rigGenerationMedian(RigContribution rig) {
    return RigSummaries.of(rig).getGenerationTokensPerSecond();
  }
}
