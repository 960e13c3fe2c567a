package io.tokbench.aggregator.estimate;

import io.tokbench.catalog.GpuCatalog;
import io.tokbench.catalog.GpuSpec;
import io.tokbench.catalog.ModelCatalog;
import io.tokbench.normalize.OrderStatistics;
import io.tokbench.schema.OffloadClass;
import io.tokbench.schema.StatsRow;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * How good the generation estimate is, measured: leave-one-GPU-out cross-validation. For each GPU,
 * calibrate on every other GPU's rows and predict this GPU's single-user medians, as the estimator
 * would for a GPU nobody has measured yet; score the uncalibrated prior the same way.
 */
public final class Evaluation {
  /** Median absolute percentage error, and the share of predictions within ±20 %. */
  public record Score(double medianAbsolutePercentageError, double shareWithin20Percent) {
    static Score of(List<Double> relativeErrors) {
      double[] errors = relativeErrors.stream().mapToDouble(Double::doubleValue).toArray();
      long within = relativeErrors.stream().filter(e -> e <= 0.2).count();
      return new Score(errors.length == 0 ? Double.NaN : OrderStatistics.median(errors) * 100, errors.length == 0 ? Double.NaN : within * 100.0 / errors.length);
    }
  }

  public record Result(int rows, int gpus, Score prior, Score calibrated) {}

  private Evaluation() {}

  public static Result leaveOneGpuOut(List<StatsRow> table, GpuCatalog gpus, ModelCatalog models) {
    List<StatsRow> predictable = table.stream().filter(r -> predictable(r, gpus)).toList();
    Map<String, List<StatsRow>> byGpu = predictable.stream().collect(Collectors.groupingBy(r -> r.getKey().getGpu()));
    List<Double> priorErrors = new ArrayList<>();
    List<Double> calibratedErrors = new ArrayList<>();
    byGpu.forEach((gpu, heldOut) -> {
      List<StatsRow> training = table.stream().filter(r -> !r.getKey().getGpu().equals(gpu)).toList();
      CalibrationGroups calibration = CalibrationGroups.fit(training, gpus, models, Instant.EPOCH);
      for (StatsRow row : heldOut) {
        double bandwidth = gpus.byId(gpu).orElseThrow().bandwidthBytesPerSecond();
        double bytes = row.getModelFacts().getFileSizeBytes() * models.activeShare(row.getKey().getModel());
        double measured = row.getGenerationTokensPerSecond().getMedian();
        GenerationModel calibrated = calibration.generation(row.getKey().getRuntime(), CalibrationPoints.backendOf(row, gpus), row.getKey().getQuantization()).value();
        priorErrors.add(Math.abs(GenerationModel.PRIOR.tokensPerSecond(bandwidth, bytes) - measured) / measured);
        calibratedErrors.add(Math.abs(calibrated.tokensPerSecond(bandwidth, bytes) - measured) / measured);
      }
    });
    return new Result(predictable.size(), byGpu.size(), Score.of(priorErrors), Score.of(calibratedErrors));
  }

  /** Single-user, fully on the GPU, a known file size and a GPU with a known bandwidth. */
  private static boolean predictable(StatsRow row, GpuCatalog gpus) {
    Optional<GpuSpec> gpu = gpus.byId(row.getKey().getGpu());
    return row.getKey().getConcurrency() == 1 && row.getKey().getOffloadClass() == OffloadClass.FULL_GPU && gpu.isPresent()
        && row.getModelFacts() != null && row.getModelFacts().getFileSizeBytes() != null;
  }
}
