package io.tokbench.aggregator.validate;

/**
 * Why a record was refused: a stable machine-readable code and a message naming the field and
 * values, both carried into {@code tokbench.reports.rejected}.
 */
public record Rejection(String reasonCode, String message) {
  public static final String UNDECODABLE = "UNDECODABLE";
  public static final String UNKNOWN_SCHEMA_ID = "UNKNOWN_SCHEMA_ID";
  public static final String MISSING_FIELD = "MISSING_FIELD";
  public static final String NON_FINITE_RATE = "NON_FINITE_RATE";
  public static final String DURATION_MISMATCH = "DURATION_MISMATCH";
  public static final String SUMMARY_MISMATCH = "SUMMARY_MISMATCH";
  public static final String FUTURE_TIMESTAMP = "FUTURE_TIMESTAMP";
  public static final String TOO_OLD = "TOO_OLD";
  public static final String ABOVE_PHYSICAL_BOUND = "ABOVE_PHYSICAL_BOUND";
}
