package io.tokbench.registry;

/**
 * Error codes of the Confluent Schema Registry protocol: the {@code error_code} field of an error
 * body. The first three digits are the HTTP status.
 */
public final class RegistryError {
  public static final int SUBJECT_NOT_FOUND = 40401;
  public static final int VERSION_NOT_FOUND = 40402;
  public static final int SCHEMA_NOT_FOUND = 40403;
  public static final int SUBJECT_SOFT_DELETED = 40404;
  public static final int SUBJECT_NOT_SOFT_DELETED = 40405;
  public static final int SCHEMA_VERSION_SOFT_DELETED = 40406;
  public static final int SCHEMA_VERSION_NOT_SOFT_DELETED = 40407;
  public static final int SUBJECT_LEVEL_COMPATIBILITY_NOT_CONFIGURED = 40408;
  /** HTTP 409; current Confluent releases send 40901, older ones 409: clients accept both. */
  public static final int INCOMPATIBLE_SCHEMA = 40901;
  public static final int INVALID_SCHEMA = 42201;
  public static final int INVALID_VERSION = 42202;
  public static final int INVALID_COMPATIBILITY_LEVEL = 42203;
  public static final int STORE_ERROR = 50001;
  public static final int OPERATION_TIMEOUT = 50002;
  public static final int REQUEST_FORWARDING_FAILED = 50003;

  private RegistryError() {}

  /** The HTTP status that carries an error code (40401 → 404; 40901 → 409). */
  public static int httpStatus(int errorCode) {
    return errorCode < 1000 ? errorCode : errorCode / 100;
  }

  /** Whether an error means "incompatible schema", in either the old or the current spelling. */
  public static boolean isIncompatible(int errorCode) {
    return errorCode == INCOMPATIBLE_SCHEMA || errorCode == 409;
  }
}
