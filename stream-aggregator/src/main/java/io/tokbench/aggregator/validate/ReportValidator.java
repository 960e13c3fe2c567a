package io.tokbench.aggregator.validate;

import io.tokbench.aggregator.estimate.GenerationModel;
import io.tokbench.catalog.GpuSpec;
import io.tokbench.catalog.ModelCatalog;
import io.tokbench.normalize.Normalization;
import io.tokbench.normalize.OrderStatistics;
import io.tokbench.schema.BenchmarkReport;
import io.tokbench.schema.OffloadClass;
import io.tokbench.schema.Repetition;
import io.tokbench.schema.Summary;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Decides whether a decoded report may enter the tables. Nothing in the report is trusted that can
 * be recomputed: the summary is checked against the repetitions it claims to summarize, and the
 * generation rate against what the GPU's memory bandwidth allows for the model's size.
 */
public final class ReportValidator {
  /** Tolerance between a reported summary and its recomputation (rounding in the agent). */
  static final double SUMMARY_TOLERANCE = 0.01;
  /** A rate above the bandwidth bound times this margin is physically impossible even allowing for
   *  catalog error and speculative decoding. */
  static final double PHYSICAL_MARGIN = 2.0;
  /** No runtime generates faster than this on any hardware today: a duration this short is an error. */
  static final double MAX_PLAUSIBLE_TOKENS_PER_SECOND = 100_000;

  private final Duration maxClockSkew;
  private final Duration maxAge;

  public ReportValidator(Duration maxClockSkew, Duration maxAge) {
    this.maxClockSkew = maxClockSkew;
    this.maxAge = maxAge;
  }

  /**
   * The first problem found, or empty when the report is acceptable.
   *
   * @param receivedAtMillis when the broker appended the report (the record's LogAppendTime), so
   *     that re-processing the topic later judges every report as it was judged the first time
   */
  public Optional<Rejection> check(BenchmarkReport report, long receivedAtMillis) {
    // The summary rates first: an infinite or NaN rate is the common fault of a broken timer.
    Summary summary = report.getSummary();
    Optional<Rejection> badRate = firstBadRate(
        "summary.generationTokensPerSecondMedian", summary.getGenerationTokensPerSecondMedian(),
        "summary.generationTokensPerSecondMin", summary.getGenerationTokensPerSecondMin(),
        "summary.generationTokensPerSecondMax", summary.getGenerationTokensPerSecondMax(),
        "summary.promptTokensPerSecondMedian", summary.getPromptTokensPerSecondMedian(),
        "summary.timeToFirstTokenMillisMedian", summary.getTimeToFirstTokenMillisMedian());
    if (badRate.isPresent()) {
      return badRate;
    }
    Optional<Rejection> outOfDomain = FieldDomains.check(report);
    if (outOfDomain.isPresent()) {
      return outOfDomain;
    }
    List<Repetition> reps = report.getRepetitions();
    if (report.getModel().getName().isBlank()) {
      return reject(Rejection.MISSING_FIELD, "model.name is empty");
    }
    if (report.getSuiteId().isBlank()) {
      return reject(Rejection.MISSING_FIELD, "suiteId is empty");
    }
    if (reps.isEmpty()) {
      return reject(Rejection.MISSING_FIELD, "repetitions is empty: nothing was measured");
    }
    for (int i = 0; i < reps.size(); i++) {
      Optional<Rejection> problem = checkRepetition(i, reps.get(i));
      if (problem.isPresent()) {
        return problem;
      }
    }
    double recomputed = medianGenerationRate(reps);
    double reported = summary.getGenerationTokensPerSecondMedian();
    if (Math.abs(reported - recomputed) > SUMMARY_TOLERANCE * recomputed) {
      return reject(Rejection.SUMMARY_MISMATCH, String.format(
          "summary.generationTokensPerSecondMedian is %.3f but the %d repetitions give a median of %.3f", reported, reps.size(), recomputed));
    }
    long measuredAt = report.getMeasuredAt().toEpochMilli();
    if (measuredAt > receivedAtMillis + maxClockSkew.toMillis()) {
      return reject(Rejection.FUTURE_TIMESTAMP, "measuredAt " + report.getMeasuredAt() + " is after the report reached the broker ("
          + java.time.Instant.ofEpochMilli(receivedAtMillis) + ")");
    }
    if (measuredAt < receivedAtMillis - maxAge.toMillis()) {
      return reject(Rejection.TOO_OLD, "measuredAt " + report.getMeasuredAt() + " is more than " + maxAge.toDays() + " days before the report reached the broker");
    }
    return checkPhysicalBound(report, recomputed);
  }

  private static Optional<Rejection> checkRepetition(int i, Repetition rep) {
    String where = "repetitions[" + i + "]";
    if (rep.getGeneratedTokens() <= 0 || rep.getGenerationDurationNanos() <= 0) {
      return reject(Rejection.DURATION_MISMATCH, where + ": " + rep.getGeneratedTokens() + " tokens in " + rep.getGenerationDurationNanos() + " ns");
    }
    double rate = rep.getGeneratedTokens() / (rep.getGenerationDurationNanos() / 1e9);
    if (rate > MAX_PLAUSIBLE_TOKENS_PER_SECOND) {
      return reject(Rejection.DURATION_MISMATCH, String.format("%s: %d tokens in %d ns is %.0f tok/s", where, rep.getGeneratedTokens(), rep.getGenerationDurationNanos(), rate));
    }
    Long promptNanos = rep.getPromptDurationNanos();
    if (promptNanos != null && (promptNanos <= 0) != (rep.getPromptTokens() <= 0)) {
      return reject(Rejection.DURATION_MISMATCH, where + ": " + rep.getPromptTokens() + " prompt tokens in " + promptNanos + " ns");
    }
    if (rep.getTimeToFirstTokenNanos() != null && rep.getTimeToFirstTokenNanos() < 0) {
      return reject(Rejection.DURATION_MISMATCH, where + ": negative time to first token");
    }
    return Optional.empty();
  }

  /**
   * Generating a token reads (the active part of) the weights once, so a GPU cannot generate faster
   * than its memory bandwidth over the bytes read per token. Only checked when the GPU and model are
   * known and the model sat wholly in GPU memory; several GPUs add their bandwidth, so multi-GPU
   * rigs are never wrongly refused.
   */
  private static Optional<Rejection> checkPhysicalBound(BenchmarkReport report, double medianRate) {
    if (report.getHardware().getGpus().isEmpty() || Normalization.offloadClass(report) != OffloadClass.FULL_GPU) {
      return Optional.empty();
    }
    Long fileSize = report.getModel().getFileSizeBytes();
    Optional<GpuSpec> gpu = Normalization.catalogGpu(report.getHardware().getGpus().get(0));
    Optional<ModelCatalog.Entry> model = ModelCatalog.shared().match(report.getModel().getName(), report.getModel().getDigest());
    if (fileSize == null || fileSize <= 0 || gpu.isEmpty() || model.isEmpty()) {
      return Optional.empty();
    }
    double bytesPerToken = fileSize * model.get().activeShare();
    double bandwidth = gpu.get().bandwidthBytesPerSecond() * Normalization.gpuCount(report);
    double bound = GenerationModel.boundTokensPerSecond(bandwidth, bytesPerToken);
    int concurrency = report.getSettings().getConcurrency();
    // Under concurrency one read of the weights serves every stream, so the aggregate may reach N × bound.
    if (medianRate > bound * PHYSICAL_MARGIN * concurrency) {
      return reject(Rejection.ABOVE_PHYSICAL_BOUND, String.format(
          "%.1f tok/s on %d × %s (%.0f GB/s) for %s (%.2f GB read per token) exceeds the bandwidth bound of %.1f tok/s by more than %.0f×",
          medianRate, Normalization.gpuCount(report), gpu.get().id(), gpu.get().bandwidthGBs(), model.get().id(), bytesPerToken / 1e9, bound, PHYSICAL_MARGIN));
    }
    return Optional.empty();
  }

  /** The median of the repetitions' generation rates, recomputed from counts and durations. */
  public static double medianGenerationRate(List<Repetition> reps) {
    return OrderStatistics.median(reps.stream().mapToDouble(r -> r.getGeneratedTokens() / (r.getGenerationDurationNanos() / 1e9)).toArray());
  }

  /** Pairs of (field name, value); a null value is an absent optional figure, not an error. */
  private static Optional<Rejection> firstBadRate(Object... namesAndValues) {
    for (int i = 0; i < namesAndValues.length; i += 2) {
      Double value = (Double) namesAndValues[i + 1];
      if (value != null && !(Double.isFinite(value) && value > 0)) {
        return reject(Rejection.NON_FINITE_RATE, namesAndValues[i] + " is " + value + ": rates must be finite and positive");
      }
    }
    return Optional.empty();
  }

  private static Optional<Rejection> reject(String code, String message) {
    return Optional.of(new Rejection(code, message));
  }
}
