package io.tokbench.aggregator.estimate;

import io.tokbench.aggregator.state.CalibrationPoint;
import io.tokbench.normalize.OrderStatistics;
import io.tokbench.schema.CalibrationRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Fits one calibration group's estimator parameters to its statistics rows: the generation model
 * (overhead per token and bandwidth efficiency), the prompt-processing scale, the KV-cache factor
 * and runtime overhead from measured VRAM, and the concurrency curve from concurrency sweeps. Each
 * fit uses only the rows that carry its inputs; a parameter no row informs stays null, and the
 * fallback chain takes it from a broader group.
 */
public final class Calibrator {
  private Calibrator() {}

  public static CalibrationRecord fit(String groupId, Collection<CalibrationPoint> points, Instant now) {
    List<CalibrationPoint> generation = points.stream()
        .filter(p -> p.getConcurrency() == 1 && p.getFullGpu() && p.getBytesOverBandwidthSeconds() != null && p.getGenerationTokensPerSecond() > 0)
        .toList();
    GenerationModel model = fitGeneration(generation);
    CalibrationRecord.Builder record = CalibrationRecord.newBuilder()
        .setGroupId(groupId)
        .setLevel(CalibrationGroups.levelOf(groupId))
        .setRigCount(generation.stream().mapToInt(CalibrationPoint::getRigCount).sum())
        .setRowCount(generation.size())
        .setOverheadMillisPerToken(model.overheadSeconds() * 1e3)
        .setBandwidthEfficiency(model.efficiency())
        .setResidualSpread(spread(generation.stream()
            .mapToDouble(p -> Math.log(p.getGenerationTokensPerSecond() * (model.overheadSeconds() + p.getBytesOverBandwidthSeconds() / model.efficiency())))
            .toArray()))
        .setUpdatedAt(now);
    fitPrompt(points, record);
    fitVram(points, record);
    fitConcurrency(points, record);
    return record.build();
  }

  private static GenerationModel fitGeneration(List<CalibrationPoint> points) {
    if (points.isEmpty()) {
      return GenerationModel.PRIOR;
    }
    double[] x = points.stream().mapToDouble(CalibrationPoint::getBytesOverBandwidthSeconds).toArray();
    double[] rate = points.stream().mapToDouble(CalibrationPoint::getGenerationTokensPerSecond).toArray();
    if (points.size() == 1) {
      return new GenerationModel(0.0, Math.min(1.0, x[0] * rate[0]));
    }
    return GenerationModel.fit(x, rate);
  }

  /** Prompt tok/s × parameters ÷ bandwidth, averaged in log space (rates spread multiplicatively). */
  private static void fitPrompt(Collection<CalibrationPoint> points, CalibrationRecord.Builder record) {
    double[] logScales = points.stream()
        .filter(p -> p.getConcurrency() == 1 && p.getFullGpu() && p.getPromptTokensPerSecond() != null && p.getParametersBillions() != null && p.getBandwidthGBs() != null)
        .mapToDouble(p -> Math.log(p.getPromptTokensPerSecond() * p.getParametersBillions() / p.getBandwidthGBs()))
        .toArray();
    if (logScales.length == 0) {
      return;
    }
    double mean = java.util.Arrays.stream(logScales).average().orElseThrow();
    record.setPromptScale(Math.exp(mean));
    record.setPromptResidualSpread(spread(java.util.Arrays.stream(logScales).map(s -> s - mean).toArray()));
  }

  /** VRAM used − weights = factor × theoretical KV cache + overhead: a straight line. */
  private static void fitVram(Collection<CalibrationPoint> points, CalibrationRecord.Builder record) {
    List<CalibrationPoint> measured = points.stream()
        .filter(p -> p.getConcurrency() == 1 && p.getFullGpu() && p.getVramUsedBytes() != null && p.getWeightsBytes() != null && p.getKvCacheBytes() != null)
        .toList();
    if (measured.isEmpty()) {
      return;
    }
    double[] kv = measured.stream().mapToDouble(p -> p.getKvCacheBytes().doubleValue()).toArray();
    double[] beyondWeights = measured.stream().mapToDouble(p -> (double) (p.getVramUsedBytes() - p.getWeightsBytes())).toArray();
    double meanX = java.util.Arrays.stream(kv).average().orElseThrow();
    double meanY = java.util.Arrays.stream(beyondWeights).average().orElseThrow();
    double sxx = 0;
    double sxy = 0;
    for (int i = 0; i < kv.length; i++) {
      sxx += (kv[i] - meanX) * (kv[i] - meanX);
      sxy += (kv[i] - meanX) * (beyondWeights[i] - meanY);
    }
    double factor = sxx == 0 ? 1.0 : Math.max(0.1, Math.min(4.0, sxy / sxx));
    double[] overheads = new double[kv.length];
    for (int i = 0; i < kv.length; i++) {
      overheads[i] = beyondWeights[i] - factor * kv[i];
    }
    record.setKvCacheFactor(factor);
    record.setRuntimeOverheadBytes(Math.max(0L, Math.round(OrderStatistics.median(overheads))));
  }

  /** Gains of concurrency sweeps over their own single-user rows, fitted to the saturating curve. */
  private static void fitConcurrency(Collection<CalibrationPoint> points, CalibrationRecord.Builder record) {
    Map<String, CalibrationPoint> single = new HashMap<>();
    points.stream().filter(p -> p.getConcurrency() == 1).forEach(p -> single.put(p.getStatsKey(), p));
    List<Integer> users = new ArrayList<>(List.of(1));
    List<Double> gains = new ArrayList<>(List.of(1.0));
    for (CalibrationPoint p : points) {
      CalibrationPoint base = p.getConcurrency() > 1 ? single.get(p.getPairKey()) : null;
      if (base == null || base.getGenerationTokensPerSecond() <= 0) {
        continue;
      }
      // Reports of parallel streams carry their summed rate; older ones only the per-stream one.
      double aggregate = Objects.requireNonNullElse(p.getAggregateTokensPerSecond(), p.getGenerationTokensPerSecond() * p.getConcurrency());
      users.add(p.getConcurrency());
      gains.add(aggregate / base.getGenerationTokensPerSecond());
    }
    if (gains.size() < 2) {
      return;
    }
    ConcurrencyCurve curve = ConcurrencyCurve.fit(users.stream().mapToInt(Integer::intValue).toArray(), gains.stream().mapToDouble(Double::doubleValue).toArray());
    record.setConcurrencyGainAtSaturation(curve.saturationGain());
    record.setConcurrencyHalfSaturationUsers(curve.halfSaturationUsers());
  }

  /** Median absolute log-residual: ±this in log space holds half of the rows. */
  static double spread(double[] logResiduals) {
    if (logResiduals.length == 0) {
      return 0.0;
    }
    return OrderStatistics.median(java.util.Arrays.stream(logResiduals).map(Math::abs).toArray());
  }
}
