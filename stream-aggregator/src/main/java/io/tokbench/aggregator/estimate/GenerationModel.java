package io.tokbench.aggregator.estimate;

/**
 * Single-user generation speed. Each token reads the (active) weights once, so memory bandwidth
 * bounds the rate; but measured rates fall further below that bound on very fast GPUs and for
 * small models, because every token also pays a roughly fixed cost (kernel launches, sampling,
 * synchronisation). So: seconds per token = overhead + bytes read ÷ (efficiency × bandwidth).
 *
 * @param overheadSeconds fixed time per token
 * @param efficiency share of the memory bandwidth reached while reading weights, 0..1
 */
public record GenerationModel(double overheadSeconds, double efficiency) {
  /** The uncalibrated prior: 60 % of the bandwidth, no fixed cost (the old rule of thumb). */
  public static final GenerationModel PRIOR = new GenerationModel(0.0, 0.6);

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
    return 1.0 / (overheadSeconds + bytesPerToken / (efficiency * bandwidthBytesPerSecond));
  }

  /**
   * Least squares fit of seconds-per-token = overhead + (1/efficiency) × (bytes ÷ bandwidth) to
   * measured medians: a straight line in (bytes ÷ bandwidth, 1 ÷ rate). Estimates outside the
   * physical range are clamped (efficiency at most 1, overhead at least 0).
   *
   * @param bytesOverBandwidth per observation, bytes read per token ÷ bandwidth (seconds)
   * @param measuredTokensPerSecond per observation, the measured median rate
   */
  public static GenerationModel fit(double[] bytesOverBandwidth, double[] measuredTokensPerSecond) {
    int n = bytesOverBandwidth.length;
    if (n < 2 || n != measuredTokensPerSecond.length) {
      throw new IllegalArgumentException("need at least two paired observations");
    }
    double meanX = 0;
    double meanY = 0;
    for (int i = 0; i < n; i++) {
      meanX += bytesOverBandwidth[i] / n;
      meanY += 1.0 / measuredTokensPerSecond[i] / n;
    }
    double sxy = 0;
    double sxx = 0;
    for (int i = 0; i < n; i++) {
      double dx = bytesOverBandwidth[i] - meanX;
      sxy += dx * (1.0 / measuredTokensPerSecond[i] - meanY);
      sxx += dx * dx;
    }
    if (sxx == 0) {
      // One model size on one GPU speed: no slope to see; attribute everything to bandwidth.
      return new GenerationModel(0.0, Math.min(1.0, meanX / meanY));
    }
    double slope = sxy / sxx;
    double intercept = meanY - slope * meanX;
    double efficiency = slope <= 1.0 ? 1.0 : 1.0 / slope;
    return new GenerationModel(Math.max(0.0, intercept), efficiency);
  }
}
