package io.tokbench.aggregator.estimate;

import io.tokbench.normalize.OrderStatistics;
import java.util.Arrays;

/**
 * Single-user generation speed. Each token reads the (active) weights once, so memory bandwidth
 * bounds the rate; but measured rates fall further below that bound on very fast GPUs and for
 * small models, because every token also pays a roughly fixed cost (kernel launches, sampling,
 * synchronisation). So: seconds per token = overhead + bytes read ÷ (efficiency × bandwidth).
 * The runtime launches its kernels and synchronises once per layer, so the overhead is quoted for a
 * model of {@link #REFERENCE_BLOCKS} layers and a model of L layers pays L / 32 of it: an 80-layer
 * 70B model pays 2.5 times what a 32-layer 8B model pays, a 16-layer 1B model half. On the
 * published sets (leave-one-GPU-out, median error, one overhead per token → per layer, the rest of
 * the model as it is): generation 5.7 % → 5.3 %, CUDA 5.3 % → 4.9 %, Metal 5.0 % → 4.9 %, ROCm
 * 8.6 % → 6.3 %; Vulkan 12.4 % → 12.9 % the other way (README, "What each term is worth").
 *
 * @param overheadSeconds fixed time per token of a {@link #REFERENCE_BLOCKS}-layer model
 * @param efficiency share of the memory bandwidth reached while reading weights, 0..1
 */
public record GenerationModel(double overheadSeconds, double efficiency) {
  /** The uncalibrated prior: 60 % of the bandwidth, no fixed cost (the old rule of thumb). */
  public static final GenerationModel PRIOR = new GenerationModel(0.0, 0.6);
  /** The layers the overhead is quoted for: Llama 2 7B's and Llama 3 8B's, the most measured models. */
  public static final int REFERENCE_BLOCKS = 32;
  /**
   * Below this ratio between the slowest and fastest row (in seconds per token at full bandwidth)
   * a straight line cannot tell a fixed cost from a lower efficiency: two nearly equal bandwidths
   * once gave an efficiency of 0.054. Such a group takes its overhead from the prior and fits only
   * the efficiency.
   */
  public static final double MIN_SPREAD = 1.5;
  /**
   * Reports come from anyone's rig: one starved by its host (a slow CPU, a narrow PCIe link) or run on
   * an old build can sit far off the line its GPU class follows, and in a least-squares fit a few
   * such rows pull the overhead of a whole group. So the fit is Huber's M-estimator by iteratively
   * reweighted least squares: a row whose relative residual exceeds 1.345 robust standard deviations
   * (the usual tuning: 95 % efficiency for normal errors) counts with weight threshold ÷ residual.
   * On the published sets (median error, least squares → Huber): ROCm generation 13.3 % → 10.5 %,
   * Vulkan 16.2 % → 13.3 %, at a cost of 0.2 points on CUDA (5.9 % → 6.1 %) and 0.1 on Metal.
   */
  static final double HUBER_TUNING = 1.345;
  /** The median absolute residual of a normal sample is 0.6745 σ. */
  static final double MAD_TO_SIGMA = 1.4826;
  /** Rows that agree to better than this (relative) are not down-weighted: a scale of zero would weigh every residual out. */
  static final double MIN_RESIDUAL_SCALE = 0.02;
  static final int ROBUST_ITERATIONS = 10;

  public GenerationModel {
    if (!(efficiency > 0 && efficiency <= 1) || overheadSeconds < 0) {
      throw new IllegalArgumentException("efficiency must be in (0, 1] and overhead >= 0: " + efficiency + ", " + overheadSeconds);
    }
  }

  /** The physical ceiling: bandwidth over bytes read per token. */
  public static double boundTokensPerSecond(double bandwidthBytesPerSecond, double bytesPerToken) {
    return bandwidthBytesPerSecond / bytesPerToken;
  }

  public double tokensPerSecond(double bandwidthBytesPerSecond, double bytesPerToken) {
    return 1.0 / secondsPerToken(bytesPerToken / bandwidthBytesPerSecond);
  }

  /** Time per token of a {@link #REFERENCE_BLOCKS}-layer model that reads its bytes in {@code bytesOverBandwidth} seconds at full bandwidth. */
  public double secondsPerToken(double bytesOverBandwidth) {
    return overheadSeconds + bytesOverBandwidth / efficiency;
  }

  /** The same for a model of {@code blocks} layers (null when unknown: then as the reference model). */
  public double secondsPerToken(double bytesOverBandwidth, Integer blocks) {
    return overheadSeconds * overheadScale(blocks) + bytesOverBandwidth / efficiency;
  }

  /** How many times the reference model's overhead a model of this many layers pays; 1 where the count is unknown. */
  public static double overheadScale(Integer blocks) {
    return blocks == null || blocks <= 0 ? 1.0 : blocks / (double) REFERENCE_BLOCKS;
  }

  /**
   * Fit of seconds-per-token = overhead + (1/efficiency) × (bytes ÷ bandwidth), a straight line in
   * (bytes ÷ bandwidth, seconds per token). Residuals are relative (weights 1/t²), so a slow chip
   * does not outweigh a fast one, and far-off rows are down-weighted ({@link #HUBER_TUNING}). Where
   * the rows do not spread enough to see the slope, the overhead is the prior's and only the
   * efficiency is fitted; a parameter clamped to its physical range (efficiency at most 1, overhead
   * at least 0) has the other one refitted under the clamp.
   *
   * @param bytesOverBandwidth per observation, bytes read per token ÷ bandwidth (seconds)
   * @param secondsPerToken per observation, the measured time per token
   * @param overheadPrior the overhead to assume where the rows cannot show it
   */
  public static GenerationModel fit(double[] bytesOverBandwidth, double[] secondsPerToken, double overheadPrior) {
    int n = bytesOverBandwidth.length;
    if (n < 1 || n != secondsPerToken.length) {
      throw new IllegalArgumentException("need paired observations");
    }
    double[] robustness = new double[n];
    Arrays.fill(robustness, 1.0);
    GenerationModel model = fitWeighted(bytesOverBandwidth, secondsPerToken, robustness, overheadPrior);
    double[] residuals = new double[n];
    for (int iteration = 0; iteration < ROBUST_ITERATIONS; iteration++) {
      for (int i = 0; i < n; i++) {
        residuals[i] = Math.abs(model.secondsPerToken(bytesOverBandwidth[i]) / secondsPerToken[i] - 1);
      }
      // median sorts its argument: the residuals stay in row order for the weights below
      double threshold = HUBER_TUNING * Math.max(MIN_RESIDUAL_SCALE, MAD_TO_SIGMA * OrderStatistics.median(residuals.clone()));
      for (int i = 0; i < n; i++) {
        robustness[i] = residuals[i] <= threshold ? 1.0 : threshold / residuals[i];
      }
      model = fitWeighted(bytesOverBandwidth, secondsPerToken, robustness, overheadPrior);
    }
    return model;
  }

  private static GenerationModel fitWeighted(double[] bytesOverBandwidth, double[] secondsPerToken, double[] robustness, double overheadPrior) {
    int n = bytesOverBandwidth.length;
    Line line = Line.weighted(bytesOverBandwidth, secondsPerToken, robustness);
    if (n < 2 || line.spread() < MIN_SPREAD) {
      return line.withOverhead(Math.max(0.0, overheadPrior));
    }
    double slope = line.slope();
    double intercept = line.intercept(slope);
    if (slope <= 1.0) {
      return line.atFullBandwidth();
    }
    if (intercept < 0) {
      return line.withOverhead(0.0);
    }
    return new GenerationModel(intercept, 1.0 / slope);
  }

  /** Weighted sums of the observations (weights 1/t²: relative residuals). */
  private record Line(double[] x, double[] t, double[] w) {
    static Line weighted(double[] x, double[] t, double[] robustness) {
      return new Line(x, t, weights(t, robustness));
    }

    private static double[] weights(double[] t, double[] robustness) {
      double[] w = new double[t.length];
      for (int i = 0; i < t.length; i++) {
        w[i] = robustness[i] / (t[i] * t[i]);
      }
      return w;
    }

    double spread() {
      double min = Double.MAX_VALUE;
      double max = 0;
      for (double v : x) {
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
      return min > 0 ? max / min : 1.0;
    }

    private double mean(double[] v) {
      double sum = 0;
      double weights = 0;
      for (int i = 0; i < v.length; i++) {
        sum += w[i] * v[i];
        weights += w[i];
      }
      return sum / weights;
    }

    double slope() {
      double mx = mean(x);
      double mt = mean(t);
      double sxx = 0;
      double sxt = 0;
      for (int i = 0; i < x.length; i++) {
        sxx += w[i] * (x[i] - mx) * (x[i] - mx);
        sxt += w[i] * (x[i] - mx) * (t[i] - mt);
      }
      return sxt / sxx;
    }

    double intercept(double slope) {
      return mean(t) - slope * mean(x);
    }

    /** Efficiency under a given overhead (a line through it); at full bandwidth if the rows are faster than that allows. */
    GenerationModel withOverhead(double overhead) {
      double sxt = 0;
      double sxx = 0;
      for (int i = 0; i < x.length; i++) {
        sxt += w[i] * x[i] * (t[i] - overhead);
        sxx += w[i] * x[i] * x[i];
      }
      double slope = sxt / sxx;
      return slope > 1.0 ? new GenerationModel(overhead, 1.0 / slope) : atFullBandwidth();
    }

    /** Efficiency clamped at 1: all the rest of each token's time is overhead. */
    GenerationModel atFullBandwidth() {
      double[] rest = new double[x.length];
      for (int i = 0; i < x.length; i++) {
        rest[i] = t[i] - x[i];
      }
      return new GenerationModel(Math.max(0.0, mean(rest)), 1.0);
    }
  }
}
