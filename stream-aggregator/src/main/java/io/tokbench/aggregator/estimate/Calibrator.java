package io.tokbench.aggregator.estimate;

import io.tokbench.aggregator.normalize.StatsKeys;
import io.tokbench.aggregator.state.CalibrationPoint;
import io.tokbench.normalize.OrderStatistics;
import io.tokbench.schema.CalibrationRecord;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.Random;
import java.util.function.Function;
import java.util.function.ToDoubleBiFunction;
import java.util.stream.IntStream;
import org.apache.kafka.common.utils.Utils;

/**
 * Fits one calibration group's estimator parameters to its statistics rows: the generation model
 * (overhead per token and bandwidth efficiency), the compute-bound prompt scale, the KV-cache factor
 * and runtime overhead from measured VRAM, and the concurrency curve from concurrency sweeps. Each
 * fit uses only the rows that carry its inputs; a parameter no row informs stays null, and the
 * fallback chain takes it from a broader group. The global group also fits the {@link Physics}
 * every group shares ({@link PhysicsFit}).
 */
public final class Calibrator {
  /**
   * Per-token overhead where a group's rows cannot show it (they barely spread): what the published
   * sets give each memory class (GDDR 1.5 ms, HBM 3.4 ms, unified 5.8 ms: Metal's command encoding),
   * and 2 ms for groups that mix classes.
   */
  private static final Map<String, Double> OVERHEAD_PRIOR_SECONDS = Map.of("GDDR", 0.0015, "HBM", 0.0034, "UNIFIED", 0.0058);
  private static final double MIXED_OVERHEAD_PRIOR_SECONDS = 0.002;
  /**
   * GPUs a band is measured on by holding each out (see {@link #heldOutSpread}): enough for a median
   * of their spreads, few enough that a big group's refit stays within a few fits.
   */
  static final int MAX_HELD_OUT_GPUS = 8;
  /**
   * Points each held-out refit draws on, a fixed pseudo-random subsample of the other GPUs' (a line
   * of two parameters needs no more): the refits run on the stream thread, and this keeps a big
   * group's refit within a few times one fit.
   */
  static final int MAX_HELD_OUT_FIT_POINTS = 250;

  private Calibrator() {}

  public static CalibrationRecord fit(String groupId, Collection<CalibrationPoint> points, Physics physics, Instant now) {
    return fit(groupId, points, physics, now, null);
  }

  /**
   * As {@link #fit(String, Collection, Physics, Instant)}, with the bands (the residual and prompt
   * compute spreads) taken from {@code bands} where it is given instead of measured (the prompt
   * spread measured all the same where {@code bands} has none): the stream measures a group's band
   * less often than it fits its line ({@link BandSchedule}).
   */
  static CalibrationRecord fit(String groupId, Collection<CalibrationPoint> points, Physics physics, Instant now, CalibrationRecord bands) {
    List<CalibrationPoint> generation = generationPoints(points);
    double overheadPrior = overheadPrior(groupId);
    GenerationModel model = fitGeneration(generation, physics, overheadPrior);
    CalibrationRecord.Builder record = CalibrationRecord.newBuilder()
        .setGroupId(groupId)
        .setLevel(CalibrationGroups.levelOf(groupId))
        .setRigCount(generation.stream().mapToInt(CalibrationPoint::getRigCount).sum())
        .setRowCount(generation.size())
        .setOverheadMillisPerToken(model.overheadSeconds() * 1e3)
        .setBandwidthEfficiency(model.efficiency())
        .setResidualSpread(bands != null ? bands.getResidualSpread() : generationSpread(generation, model, physics, overheadPrior))
        .setUpdatedAt(now);
    fitPrompt(points, physics, record, bands);
    fitVram(points, record);
    fitConcurrency(points, record);
    return record.build();
  }

  /** The global group: the shared physics first, then its own parameters under them. */
  public static CalibrationRecord fitGlobal(Collection<CalibrationPoint> points, Instant now) {
    return fitGlobal(points, now, ModelForm.FULL);
  }

  /** The global group of a model of this form (an ablation leaves terms out). */
  static CalibrationRecord fitGlobal(Collection<CalibrationPoint> points, Instant now, ModelForm form) {
    return fitGlobal(points, now, form, null);
  }

  static CalibrationRecord fitGlobal(Collection<CalibrationPoint> points, Instant now, ModelForm form, CalibrationRecord bands) {
    Physics physics = PhysicsFit.fit(points, form);
    CalibrationRecord record = fit(CalibrationPoints.GLOBAL, points, physics, now, bands);
    return physics.writeTo(CalibrationRecord.newBuilder(record)).build();
  }

  /** Single-user rows held fully in GPU memory, with the sizes and bandwidth their time per token follows from. */
  static List<CalibrationPoint> generationPoints(Collection<CalibrationPoint> points) {
    return points.stream()
        .filter(p -> p.getConcurrency() == 1 && p.getFullGpu() && p.getWeightsBytes() != null && p.getBandwidthGBs() != null
            && p.getGenerationTokensPerSecond() > 0)
        .toList();
  }

  static GenerationModel fitGeneration(List<CalibrationPoint> points, Physics physics, double overheadPrior) {
    if (points.isEmpty()) {
      return GenerationModel.PRIOR;
    }
    // t = overhead × layers / 32 + x / efficiency is a straight line again once both sides are
    // divided by layers / 32, with the same relative residuals.
    double[] x = new double[points.size()];
    double[] t = new double[points.size()];
    for (int i = 0; i < x.length; i++) {
      CalibrationPoint p = points.get(i);
      double scale = GenerationModel.overheadScale(p.getBlockCount());
      x[i] = bytesOverBandwidth(p, physics) / scale;
      t[i] = (1.0 / p.getGenerationTokensPerSecond() - physics.multiGpuSecondsPerToken(p.getGpuCount())) / scale;
    }
    return GenerationModel.fit(x, t, overheadPrior);
  }

  /** Weights and KV cache read per token, in seconds at the GPU's full bandwidth. */
  static double bytesOverBandwidth(CalibrationPoint p, Physics physics) {
    double bytes = physics.weightsReadBytes(p.getWeightsBytes(), p.getActiveShare() == null ? 1.0 : p.getActiveShare());
    if (p.getKvBytesPerToken() != null && p.getGenerationDepth() != null) {
      bytes += physics.kvReadBytes(p.getKvBytesPerToken(), p.getGenerationDepth());
    }
    return bytes / (p.getBandwidthGBs() * 1e9);
  }

  static double secondsPerToken(GenerationModel model, CalibrationPoint p, Physics physics) {
    return 1.0 / SpeedModel.generationTokensPerSecond(model, physics, p.getWeightsBytes(), p.getActiveShare() == null ? 1.0 : p.getActiveShare(),
        p.getKvBytesPerToken(), p.getBlockCount(), p.getGenerationDepth() == null ? 0 : p.getGenerationDepth(), p.getBandwidthGBs() * 1e9, p.getGpuCount());
  }

  static double overheadPrior(String groupId) {
    for (String part : groupId.split("\\|")) {
      Double prior = OVERHEAD_PRIOR_SECONDS.get(part);
      if (prior != null) {
        return prior;
      }
    }
    return MIXED_OVERHEAD_PRIOR_SECONDS;
  }

  /** Single-GPU rows with a prompt rate, their parameter count and their GPU's FP16 throughput. */
  static List<CalibrationPoint> promptPoints(Collection<CalibrationPoint> points) {
    return points.stream()
        .filter(p -> p.getConcurrency() == 1 && p.getFullGpu() && p.getGpuCount() == 1 && p.getPromptTokensPerSecond() != null
            && p.getParametersBillions() != null && p.getFp16Tflops() != null)
        .toList();
  }

  /** log(prompt tok/s × effective parameters (billions) × attention cost ÷ sustained FP16 TFLOPS): the compute scale one row shows. */
  static double logPromptScale(CalibrationPoint p, Physics physics) {
    return Math.log(p.getPromptTokensPerSecond() * promptWork(p, physics) / physics.sustainedTflops(p.getFp16Tflops(), p.getBoardPowerWatts()));
  }

  /** Billions of parameter-equivalents one prompt token costs, attention over its context included. */
  static double promptWork(CalibrationPoint p, Physics physics) {
    double parameters = p.getParametersBillions() * 1e9;
    double share = p.getActiveShare() == null ? 1.0 : p.getActiveShare();
    int length = p.getPromptLength() == null ? SuiteShape.DEFAULT.promptTokens() : p.getPromptLength();
    return physics.promptParameters(parameters, share) * physics.promptAttentionCost(p.getAttentionWidth(), parameters, length / 2.0) / 1e9;
  }

  /** The median compute scale: prompt rates spread multiplicatively, and a few broken rows must not move it. */
  private static void fitPrompt(Collection<CalibrationPoint> points, Physics physics, CalibrationRecord.Builder record, CalibrationRecord bands) {
    List<CalibrationPoint> prompted = promptPoints(points);
    double[] logScales = prompted.stream().mapToDouble(p -> logPromptScale(p, physics)).toArray();
    if (logScales.length == 0) {
      return;
    }
    double median = OrderStatistics.median(logScales);
    record.setPromptTokensPerSecondPerTflop(Math.exp(median));
    Double reused = bands == null ? null : bands.getPromptComputeSpread();
    record.setPromptComputeSpread(reused != null ? reused : promptSpread(prompted, logScales, median, physics));
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
    double meanX = Arrays.stream(kv).average().orElseThrow();
    double meanY = Arrays.stream(beyondWeights).average().orElseThrow();
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

  /**
   * How far a GPU the group has not measured lands from the group's line (log space): GPUs held out
   * of the line and scored against it refitted without them. A GPU's rows share its memory system,
   * its driver and often its rig, so the residuals against a line they helped fit understate it
   * (README, "Is the band honest?"). A group of one GPU can show no more than its own rows' residuals.
   */
  static double generationSpread(List<CalibrationPoint> points, GenerationModel model, Physics physics, double overheadPrior) {
    return heldOutSpread(points, others -> fitGeneration(others, physics, overheadPrior), (line, p) -> logResidual(line, p, physics))
        .orElseGet(() -> spread(points.stream().mapToDouble(p -> logResidual(model, p, physics)).toArray()));
  }

  /**
   * The same for the prompt compute scale: a held-out GPU's scales against the median of the other
   * GPUs'; {@code logScales} and {@code median} are the points' own, as the group's fit has them.
   */
  static double promptSpread(List<CalibrationPoint> points, double[] logScales, double median, Physics physics) {
    return heldOutSpread(points, others -> OrderStatistics.median(others.stream().mapToDouble(p -> logPromptScale(p, physics)).toArray()),
        (otherMedian, p) -> logPromptScale(p, physics) - otherMedian)
        .orElseGet(() -> spread(Arrays.stream(logScales).map(s -> s - median).toArray()));
  }

  private static double logResidual(GenerationModel model, CalibrationPoint p, Physics physics) {
    return Math.log(p.getGenerationTokensPerSecond() * secondsPerToken(model, p, physics));
  }

  /**
   * The median over held-out GPUs of each one's median absolute residual against {@code fit} of the
   * other GPUs' points: each GPU one vote, however many rows it sent, so one reporter's rows cannot
   * set a group's band. At most {@link #MAX_HELD_OUT_GPUS} GPUs are held out, those whose ids hash
   * lowest (a GPU joining the group changes at most one pick), each refit on at most
   * {@link #MAX_HELD_OUT_FIT_POINTS} of the others' points. Empty where the points come from fewer
   * than two GPUs.
   */
  static <M> OptionalDouble heldOutSpread(List<CalibrationPoint> points, Function<List<CalibrationPoint>, M> fit,
                                          ToDoubleBiFunction<M, CalibrationPoint> residual) {
    String[] gpuOf = points.stream().map(Calibrator::gpuOf).toArray(String[]::new);
    List<String> gpus = Arrays.stream(gpuOf).distinct().toList();
    if (gpus.size() < 2) {
      return OptionalDouble.empty();
    }
    List<String> heldOut = gpus.stream()
        .sorted(Comparator.comparingInt((String gpu) -> Utils.murmur2(gpu.getBytes(StandardCharsets.UTF_8))).thenComparing(Comparator.naturalOrder()))
        .limit(MAX_HELD_OUT_GPUS).toList();
    int[] order = shuffledIndices(points.size());
    double[] perGpu = new double[heldOut.size()];
    for (int g = 0; g < perGpu.length; g++) {
      String gpu = heldOut.get(g);
      List<CalibrationPoint> others = new ArrayList<>(Math.min(points.size(), MAX_HELD_OUT_FIT_POINTS));
      for (int i = 0; i < order.length && others.size() < MAX_HELD_OUT_FIT_POINTS; i++) {
        if (!gpuOf[order[i]].equals(gpu)) {
          others.add(points.get(order[i]));
        }
      }
      M fitted = fit.apply(others);
      perGpu[g] = spread(IntStream.range(0, points.size()).filter(i -> gpuOf[i].equals(gpu))
          .mapToDouble(i -> residual.applyAsDouble(fitted, points.get(i))).toArray());
    }
    return OptionalDouble.of(OrderStatistics.median(perGpu));
  }

  /** The GPU of the row a point stands for. */
  static String gpuOf(CalibrationPoint point) {
    return StatsKeys.gpuOf(point.getStatsKey());
  }

  /**
   * 0..n-1 in a fixed pseudo-random order (the permutation {@code Collections.shuffle} makes with
   * {@code new Random(n)}, without boxing: it runs on every refit): a subsample of a group's points
   * without the stripes of its sort order.
   */
  private static int[] shuffledIndices(int n) {
    int[] order = IntStream.range(0, n).toArray();
    Random random = new Random(n);
    for (int i = n; i > 1; i--) {
      int j = random.nextInt(i);
      int swapped = order[i - 1];
      order[i - 1] = order[j];
      order[j] = swapped;
    }
    return order;
  }

  /** Median absolute log-residual: ±this in log space holds half of the rows. */
  static double spread(double[] logResiduals) {
    if (logResiduals.length == 0) {
      return 0.0;
    }
    return OrderStatistics.median(Arrays.stream(logResiduals).map(Math::abs).toArray());
  }
}
