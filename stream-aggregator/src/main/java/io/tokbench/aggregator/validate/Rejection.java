package io.tokbench.aggregator.validate;

/**
 * Why a record was refused: a stable machine-readable code and a message naming the field and
 * values, both carried into {@code tokbench.reports.rejected}. Messages are written for the
 * contributor: no Java class names, no stack traces.
 */
public record Rejection(String reasonCode, String message) {
  public static final String UNDECODABLE = "UNDECODABLE";
  public static final String UNKNOWN_SCHEMA_ID = "UNKNOWN_SCHEMA_ID";
  public static final String INVALID_FIELD = "INVALID_FIELD";
  public static final String MISSING_FIELD = "MISSING_FIELD";
  public static final String NON_FINITE_RATE = "NON_FINITE_RATE";
  public static final String DURATION_MISMATCH = "DURATION_MISMATCH";
  public static final String SUMMARY_MISMATCH = "SUMMARY_MISMATCH";
  public static final String FUTURE_TIMESTAMP = "FUTURE_TIMESTAMP";
  public static final String TOO_OLD = "TOO_OLD";
  public static final String ABOVE_PHYSICAL_BOUND = "ABOVE_PHYSICAL_BOUND";
  /** The report's rig or the report itself was retracted by an operator. */
  public static final String RETRACTED = "RETRACTED";
  /** The rig already contributes to as many rows of this partition as one rig may. */
  public static final String RIG_ROW_LIMIT = "RIG_ROW_LIMIT";
  /** A step of the aggregator failed on the record: a bug, kept for replay instead of stopping the stream. */
  public static final String PROCESSING_FAILED = "PROCESSING_FAILED";

  /** Every code, in the order the README lists them. */
  public static final java.util.List<String> ALL = java.util.List.of(
      UNDECODABLE, UNKNOWN_SCHEMA_ID, INVALID_FIELD, MISSING_FIELD, NON_FINITE_RATE, DURATION_MISMATCH, SUMMARY_MISMATCH,
      FUTURE_TIMESTAMP, TOO_OLD, ABOVE_PHYSICAL_BOUND, RETRACTED, RIG_ROW_LIMIT, PROCESSING_FAILED);
}
