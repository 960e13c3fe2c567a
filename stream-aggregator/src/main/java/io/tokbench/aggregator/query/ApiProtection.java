package io.tokbench.aggregator.query;

/**
 * What guards the API: the operator token the admin endpoints require (null: the admin API is
 * off), and the public API's rate limit per client address.
 */
public record ApiProtection(String adminToken, double requestsPerSecond) {
  /** No admin API, 50 requests a second per client. */
  public static final ApiProtection DEFAULT = new ApiProtection(null, 50);
  /** Query strings longer than this are refused (414): no legitimate query needs more. */
  public static final int MAX_QUERY_CHARS = 8 * 1024;
  /** Admin request bodies larger than this are refused (413). */
  public static final int MAX_BODY_BYTES = 16 * 1024;

  /** Never the token. */
  @Override
  public String toString() {
    return "ApiProtection[adminToken=" + (adminToken == null ? "off" : "****") + ", requestsPerSecond=" + requestsPerSecond + "]";
  }
}
