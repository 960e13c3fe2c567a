package io.tokbench.aggregator.estimate;

/**
 * Aggregate throughput of N concurrent users relative to one: batching reads the weights once for
 * every stream, so it grows, then saturates when compute takes over. A saturating curve
 * gain(N) = 1 + (G − 1)·(N − 1) / (N − 1 + H): gain 1 for one user, G for many, half-way at N = 1 + H.
 *
 * @param saturationGain G, the aggregate/single ratio with many users
 * @param halfSaturationUsers H, the extra users at which half of the gain is reached
 */
public record ConcurrencyCurve(double saturationGain, double halfSaturationUsers) {
  /**
   * The old rule of thumb as a prior: "+70 % per doubling up to 8 users, then flat" gives 1, 1.7,
   * 2.89, 4.91 at 1, 2, 4, 8 users; this curve passes through 1 and close to those.
   */
  public static final ConcurrencyCurve PRIOR = fit(new int[] {1, 2, 4, 8, 16}, new double[] {1.0, 1.7, 2.89, 4.91, 4.91});

  public double gain(int users) {
    if (users < 1) {
      throw new IllegalArgumentException("users must be >= 1");
    }
    return 1 + (saturationGain - 1) * (users - 1) / (users - 1 + halfSaturationUsers);
  }

  public double aggregateTokensPerSecond(double singleUser, int users) {
    return singleUser * gain(users);
  }

  public double perUserTokensPerSecond(double singleUser, int users) {
    return aggregateTokensPerSecond(singleUser, users) / users;
  }

  /**
   * Least squares fit to measured gains. For a given H the curve is linear in (G − 1), so G has a
   * closed form; H is found by a logarithmic search.
   */
  public static ConcurrencyCurve fit(int[] users, double[] gains) {
    if (users.length != gains.length || users.length < 2) {
      throw new IllegalArgumentException("need at least two paired observations");
    }
    double bestError = Double.MAX_VALUE;
    ConcurrencyCurve best = null;
    for (double logH = -3; logH <= 7; logH += 0.01) {
      double h = Math.exp(logH);
      double num = 0;
      double den = 0;
      for (int i = 0; i < users.length; i++) {
        double f = (users[i] - 1) / (users[i] - 1 + h);
        num += f * (gains[i] - 1);
        den += f * f;
      }
      if (den == 0) {
        continue;
      }
      double g = 1 + Math.max(0, num / den);
      double error = 0;
      for (int i = 0; i < users.length; i++) {
        double predicted = 1 + (g - 1) * (users[i] - 1) / (users[i] - 1 + h);
        error += (predicted - gains[i]) * (predicted - gains[i]);
      }
      if (error < bestError) {
        bestError = error;
        best = new ConcurrencyCurve(g, h);
      }
    }
    return best;
  }
}
