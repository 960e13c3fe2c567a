package io.tokbench.aggregator.estimate;

import io.tokbench.aggregator.normalize.StatsKeys;
import io.tokbench.aggregator.state.CalibrationPoint;
import io.tokbench.normalize.OrderStatistics;
import io.tokbench.schema.StatsKey;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * Fits the {@link Physics} every group shares from all rows, each term from the rows that show it:
 * the depth term from setups measured at several depths, the mixture-of-experts terms from MoE
 * rows (the bytes they read against dense rows on the same GPU), the multi-GPU terms from
 * layer-split rows, the prompt attention term from setups measured at several prompt
 * lengths. A term fewer than {@link #MIN_ROWS} rows (or setups) show keeps its prior.
 */
final class PhysicsFit {
  static final int MIN_ROWS = 3;

  private PhysicsFit() {}

  static Physics fit(Collection<CalibrationPoint> points) {
    return fit(points, ModelForm.FULL);
  }

  /** The terms {@code form} has, fitted; the others at their neutral values (see {@link ModelForm.Term}). */
  static Physics fit(Collection<CalibrationPoint> points, ModelForm form) {
    Physics prior = Physics.PRIOR;
    List<CalibrationPoint> generation = Calibrator.generationPoints(points);
    List<CalibrationPoint> dense = generation.stream().filter(p -> dense(p) && p.getGpuCount() == 1).toList();
    GenerationModel base = Calibrator.fitGeneration(dense, prior, Calibrator.overheadPrior(CalibrationPoints.GLOBAL));
    double kvRead = form.has(ModelForm.Term.DEPTH) ? depthFactor(dense, base, prior) : 0.0;
    Physics withDepth = new Physics(kvRead, prior.moeReadFactor(), prior.moePromptFactor(), prior.multiGpuSeconds(), prior.promptAttentionFactor(),
        prior.pipelineEfficiency(), prior.tflopsPerWatt());
    double moeRead = form.has(ModelForm.Term.MOE) ? moeReadFactor(generation, withDepth, base.overheadSeconds()) : 1.0;
    Map<String, CalibrationPoint> singleGpu = generation.stream().filter(p -> p.getGpuCount() == 1)
        .collect(Collectors.toMap(CalibrationPoint::getStatsKey, p -> p, (a, b) -> a));
    // A layer split against the same setup on one GPU: the time per token it adds, per doubling of GPUs.
    List<CalibrationPoint> splits = generation.stream().filter(p -> p.getGpuCount() > 1 && singleGpu.containsKey(p.getSingleGpuKey())).toList();
    double multiGpu = !form.has(ModelForm.Term.MULTI_GPU) ? 0.0 : Math.max(0.0, median(splits,
        p -> (1.0 / p.getGenerationTokensPerSecond() - 1.0 / singleGpu.get(p.getSingleGpuKey()).getGenerationTokensPerSecond()) / Physics.log2(p.getGpuCount()),
        prior.multiGpuSeconds()));

    List<CalibrationPoint> prompt = Calibrator.promptPoints(points);
    List<CalibrationPoint> densePrompt = prompt.stream().filter(PhysicsFit::dense).toList();
    double attention = form.has(ModelForm.Term.PROMPT_ATTENTION) ? attentionFactor(densePrompt, prior) : 0.0;
    Physics withAttention = new Physics(kvRead, moeRead, prior.moePromptFactor(), multiGpu, attention, prior.pipelineEfficiency(),
        form.has(ModelForm.Term.POWER_LIMIT) ? tflopsPerWatt(densePrompt, new Physics(kvRead, moeRead, prior.moePromptFactor(), multiGpu, attention,
            prior.pipelineEfficiency(), Physics.NO_POWER_CAP)) : Physics.NO_POWER_CAP);
    double logScale = densePrompt.isEmpty() ? 0 : OrderStatistics.median(densePrompt.stream().mapToDouble(p -> Calibrator.logPromptScale(p, withAttention)).toArray());
    double scale = Math.exp(logScale);
    double moePrompt = !form.has(ModelForm.Term.MOE) ? 1.0 : densePrompt.isEmpty() ? prior.moePromptFactor() : median(prompt.stream().filter(p -> !dense(p)).toList(), p -> {
      double parameters = p.getParametersBillions() * 1e9;
      double attentionCost = withAttention.promptAttentionCost(p.getAttentionWidth(), parameters, p.getPromptLength() / 2.0);
      double effectiveBillions = scale * withAttention.sustainedTflops(p.getFp16Tflops(), p.getBoardPowerWatts()) / (p.getPromptTokensPerSecond() * attentionCost);
      return effectiveBillions * 1e9 / parameters / p.getActiveShare();
    }, prior.moePromptFactor());
    // A layer split's prompt rate against the same setup's on one GPU, over the ideal pipeline speed-up.
    Map<String, CalibrationPoint> singlePrompt = prompt.stream().collect(Collectors.toMap(CalibrationPoint::getStatsKey, p -> p, (a, b) -> a));
    List<CalibrationPoint> promptSplits = points.stream()
        .filter(p -> p.getConcurrency() == 1 && p.getFullGpu() && p.getGpuCount() > 1 && p.getPromptTokensPerSecond() != null
            && p.getPromptLength() != null && singlePrompt.containsKey(p.getSingleGpuKey()))
        .toList();
    double pipeline = !form.has(ModelForm.Term.PIPELINE) ? Physics.NO_PIPELINE : median(promptSplits, p -> p.getPromptTokensPerSecond()
        / (singlePrompt.get(p.getSingleGpuKey()).getPromptTokensPerSecond() * Physics.idealPipelineSpeedup(p.getGpuCount(), p.getPromptLength())),
        prior.pipelineEfficiency());
    return new Physics(kvRead, moeRead, moePrompt, multiGpu, attention, pipeline, withAttention.tflopsPerWatt());
  }

  private static boolean dense(CalibrationPoint p) {
    return p.getActiveShare() == null || p.getActiveShare() >= 1.0;
  }

  /**
   * A mixture's rows against the dense rows of the same GPU, backend and runtime: those fix what a
   * byte costs there (the host's overhead and efficiency, fitted as a group would fit them), so what
   * the mixture takes beyond that is the bytes it reads. Against one fit of every dense row, as
   * before, the factor also took in how far the mixtures' GPUs (most of them AMD's unified memory)
   * read below the CUDA cards that dominate that fit.
   */
  private static double moeReadFactor(List<CalibrationPoint> generation, Physics withDepth, double overheadPrior) {
    Map<String, List<CalibrationPoint>> byHost = generation.stream().filter(p -> p.getGpuCount() == 1)
        .collect(Collectors.groupingBy(PhysicsFit::hostOf));
    List<Double> factors = new ArrayList<>();
    for (List<CalibrationPoint> host : byHost.values()) {
      List<CalibrationPoint> denseRows = host.stream().filter(PhysicsFit::dense).toList();
      List<CalibrationPoint> mixtures = host.stream().filter(p -> !dense(p)).toList();
      if (denseRows.isEmpty() || mixtures.isEmpty()) {
        continue;
      }
      GenerationModel model = Calibrator.fitGeneration(denseRows, withDepth, overheadPrior);
      for (CalibrationPoint p : mixtures) {
        double seconds = 1.0 / p.getGenerationTokensPerSecond() - model.overheadSeconds() * GenerationModel.overheadScale(p.getBlockCount());
        double kv = p.getKvBytesPerToken() == null || p.getGenerationDepth() == null ? 0 : withDepth.kvReadBytes(p.getKvBytesPerToken(), p.getGenerationDepth());
        double factor = (seconds * model.efficiency() * p.getBandwidthGBs() * 1e9 - kv) / (p.getWeightsBytes() * p.getActiveShare());
        if (Double.isFinite(factor) && factor > 0) {
          factors.add(factor);
        }
      }
    }
    return factors.size() < MIN_ROWS ? withDepth.moeReadFactor() : OrderStatistics.median(factors.stream().mapToDouble(Double::doubleValue).toArray());
  }

  /** The GPU, backend and runtime of a point's row; a key this release did not write pairs with nothing. */
  private static String hostOf(CalibrationPoint p) {
    try {
      StatsKey key = StatsKeys.decode(p.getStatsKey());
      return String.join("|", key.getGpu(), key.getBackend(), key.getRuntime());
    } catch (IllegalArgumentException e) {
      return p.getStatsKey();
    }
  }

  /**
   * Each setup measured at several depths gives the time one more token of context costs (the
   * slope of seconds per token over depth); against the KV bytes that token adds at the group's
   * efficiency, that is the factor.
   */
  private static double depthFactor(List<CalibrationPoint> dense, GenerationModel model, Physics prior) {
    List<Double> factors = new ArrayList<>();
    for (List<CalibrationPoint> setup : setups(dense, p -> p.getKvBytesPerToken() != null && p.getGenerationDepth() != null, CalibrationPoint::getGenerationDepth)) {
      double[] depth = setup.stream().mapToDouble(CalibrationPoint::getGenerationDepth).toArray();
      double[] seconds = setup.stream().mapToDouble(p -> 1.0 / p.getGenerationTokensPerSecond()).toArray();
      CalibrationPoint any = setup.get(0);
      factors.add(slope(depth, seconds) * model.efficiency() * any.getBandwidthGBs() * 1e9 / any.getKvBytesPerToken());
    }
    return factors.size() < MIN_ROWS ? prior.kvReadFactor() : Math.max(0.0, OrderStatistics.median(factors.stream().mapToDouble(Double::doubleValue).toArray()));
  }

  /**
   * The TFLOPS per watt that makes the dense prompt rows on GPUs with a known board power limit
   * agree best on one compute scale: each
   * candidate caps the rows' GPUs at that × their board power, and the one with the smallest mean
   * absolute deviation of the rows' log scales from their median wins (a median of deviations would
   * not see a cap that only a minority of the GPUs hit). A cap above every GPU's peak is no cap; fewer
   * than {@link #MIN_ROWS} such rows keep the prior (no cap).
   */
  private static double tflopsPerWatt(List<CalibrationPoint> all, Physics uncapped) {
    // Only GPUs with a known limit: the others (another backend's kernels, Apple) would pull the cap towards their own scale.
    List<CalibrationPoint> prompt = FitSample.of(all.stream().filter(p -> p.getBoardPowerWatts() != null).toList(),
        CalibrationPoint::getStatsKey, MAX_POWER_CAP_ROWS);
    if (prompt.size() < MIN_ROWS) {
      return Physics.NO_POWER_CAP;
    }
    // A row's log compute scale is log(rate × work) − log(min(peak, cap × watts)) (Calibrator.logPromptScale):
    // only the last term depends on the cap, so the rest is computed once, not once per candidate.
    int n = prompt.size();
    double[] logRateWork = new double[n];
    double[] logPeak = new double[n];
    double[] logWatts = new double[n];
    for (int i = 0; i < n; i++) {
      CalibrationPoint p = prompt.get(i);
      logRateWork[i] = Math.log(p.getPromptTokensPerSecond() * Calibrator.promptWork(p, uncapped));
      logPeak[i] = Math.log(p.getFp16Tflops());
      logWatts[i] = Math.log(p.getBoardPowerWatts());
    }
    double[] logScales = new double[n];
    for (int i = 0; i < n; i++) {
      logScales[i] = logRateWork[i] - logPeak[i];
    }
    double best = Physics.NO_POWER_CAP;
    double bestSpread = meanAbsoluteDeviation(logScales);
    for (double candidate = MIN_TFLOPS_PER_WATT; candidate <= MAX_TFLOPS_PER_WATT; candidate *= TFLOPS_PER_WATT_STEP) {
      double logCap = Math.log(candidate);
      for (int i = 0; i < n; i++) {
        logScales[i] = logRateWork[i] - Math.min(logPeak[i], logCap + logWatts[i]);
      }
      double spread = meanAbsoluteDeviation(logScales);
      // The spread is flat where the cap moves no row across the median: the lowest cap of a flat
      // minimum is taken, whatever the last bits of rounding say.
      if (spread < bestSpread - SPREAD_TOLERANCE) {
        best = candidate;
        bestSpread = spread;
      }
    }
    return best;
  }

  /** Sustained TFLOPS per watt searched: from far below any GPU's (0.05) to above every catalogued peak per watt (10), 1 % apart. */
  static final double MIN_TFLOPS_PER_WATT = 0.05;
  static final double MAX_TFLOPS_PER_WATT = 10.0;
  private static final double TFLOPS_PER_WATT_STEP = 1.01;
  /**
   * Rows the cap is fitted on at most (a uniform sample by key hash): one parameter needs far fewer,
   * and the search (530 candidates) runs on a stream thread at every refit of the global group.
   */
  static final int MAX_POWER_CAP_ROWS = 1_000;
  private static final double SPREAD_TOLERANCE = 1e-12;

  private static double meanAbsoluteDeviation(double[] values) {
    double median = OrderStatistics.median(values); // sorts in place: callers rewrite every element before the next use
    double sum = 0;
    for (double v : values) {
      sum += Math.abs(v - median);
    }
    return sum / values.length;
  }

  /** Setups measured at several prompt lengths: 1/rate = a × (1 + factor × width × length / parameters). */
  private static double attentionFactor(List<CalibrationPoint> prompt, Physics prior) {
    List<Double> factors = new ArrayList<>();
    for (List<CalibrationPoint> setup : setups(prompt, p -> p.getAttentionWidth() != null && p.getPromptLength() != null, p -> p.getPromptLength())) {
      double[] load = setup.stream().mapToDouble(p -> p.getAttentionWidth() * (double) p.getPromptLength() / (p.getParametersBillions() * 1e9)).toArray();
      double[] seconds = setup.stream().mapToDouble(p -> 1.0 / p.getPromptTokensPerSecond()).toArray();
      double slope = slope(load, seconds);
      double intercept = mean(seconds) - slope * mean(load);
      if (intercept > 0 && slope >= 0) {
        factors.add(slope / intercept);
      }
    }
    return factors.size() < MIN_ROWS ? prior.promptAttentionFactor() : OrderStatistics.median(factors.stream().mapToDouble(Double::doubleValue).toArray());
  }

  /** Points of one setup (same model, GPU, quantization, runtime) measured at several values of {@code varying}. */
  private static List<List<CalibrationPoint>> setups(List<CalibrationPoint> points, Predicate<CalibrationPoint> usable, ToDoubleFunction<CalibrationPoint> varying) {
    Map<String, List<CalibrationPoint>> bySetup = points.stream().filter(usable).collect(Collectors.groupingBy(CalibrationPoint::getSetupKey));
    return bySetup.values().stream().filter(s -> s.stream().mapToDouble(varying).distinct().count() > 1).toList();
  }

  private static double median(List<CalibrationPoint> points, ToDoubleFunction<CalibrationPoint> value, double prior) {
    return points.size() < MIN_ROWS ? prior : OrderStatistics.median(points.stream().mapToDouble(value).toArray());
  }

  private static double slope(double[] x, double[] y) {
    double mx = mean(x);
    double my = mean(y);
    double sxx = 0;
    double sxy = 0;
    for (int i = 0; i < x.length; i++) {
      sxx += (x[i] - mx) * (x[i] - mx);
      sxy += (x[i] - mx) * (y[i] - my);
    }
    return sxx == 0 ? 0 : sxy / sxx;
  }

  private static double mean(double[] v) {
    double sum = 0;
    for (double d : v) {
      sum += d;
    }
    return sum / v.length;
  }
}
