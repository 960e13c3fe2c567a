package io.tokbench.aggregator.support;

import io.tokbench.schema.BenchmarkReport;
import io.tokbench.schema.Repetition;
import io.tokbench.schema.Summary;
import io.tokbench.testkit.SampleReports;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Consistent reports for aggregator tests: repetitions, summary and rate always agree. */
public final class TestReports {
  private TestReports() {}

  /** The sample RTX 4090 report of a rig, re-timed to generate at {@code tokensPerSecond}. */
  public static BenchmarkReport at(UUID rig, double tokensPerSecond, Instant measuredAt) {
    return withRate(SampleReports.rtx4090(rig, measuredAt), tokensPerSecond);
  }

  /** The same report for another model (a name the model catalog does not know). */
  public static BenchmarkReport forModel(BenchmarkReport report, String modelName) {
    return BenchmarkReport.newBuilder(report)
        .setModel(io.tokbench.schema.Model.newBuilder(report.getModel()).setName(modelName).setDigest(null).build())
        .build();
  }

  /** One report for each model, each from a new rig generating at 70 tok/s: one row per model. */
  public static List<BenchmarkReport> oneEach(List<String> modelNames, Instant measuredAt) {
    return modelNames.stream().map(model -> forModel(at(UUID.randomUUID(), 70, measuredAt), model)).toList();
  }

  /** A copy of a report whose every repetition generates at the given rate; summary to match. */
  public static BenchmarkReport withRate(BenchmarkReport report, double tokensPerSecond) {
    List<Repetition> reps = new ArrayList<>();
    for (Repetition rep : report.getRepetitions()) {
      reps.add(Repetition.newBuilder(rep).setGenerationDurationNanos(Math.round(rep.getGeneratedTokens() / tokensPerSecond * 1e9)).build());
    }
    double rate = reps.get(0).getGeneratedTokens() / (reps.get(0).getGenerationDurationNanos() / 1e9);
    Summary summary = Summary.newBuilder(report.getSummary())
        .setGenerationTokensPerSecondMedian(rate)
        .setGenerationTokensPerSecondMin(rate)
        .setGenerationTokensPerSecondMax(rate)
        .setGenerationTokensPerSecondStddev(0.0)
        .build();
    return BenchmarkReport.newBuilder(report).setReportId(UUID.randomUUID()).setRepetitions(reps).setSummary(summary).build();
  }
}
