package io.tokbench.aggregator.query;

/**
 * How current an answer is. While partitions move between instances (a rebalance, a restore) a
 * query may be answered from a standby copy or a store still catching up; the answer then says so
 * ({@code Tokbench-Stale: true}) and by how many changelog records its copy lags at most
 * ({@code Tokbench-Lag-Records}), rather than failing.
 */
public final class Freshness {
  public static final String STALE_HEADER = "Tokbench-Stale";
  public static final String LAG_HEADER = "Tokbench-Lag-Records";

  private boolean stale;
  private long lagRecords;

  /** Part of the answer came from a copy this many records behind its changelog. */
  public synchronized void stale(long lag) {
    stale = true;
    lagRecords = Math.max(lagRecords, lag);
  }

  public synchronized boolean isStale() {
    return stale;
  }

  public synchronized long lagRecords() {
    return lagRecords;
  }

  /** Takes in what another instance said about its part of the answer. */
  void merge(String staleHeader, String lagHeader) {
    if ("true".equals(staleHeader)) {
      long lag;
      try {
        lag = lagHeader == null ? 0 : Long.parseLong(lagHeader);
      } catch (NumberFormatException e) {
        lag = 0;
      }
      stale(lag);
    }
  }
}
