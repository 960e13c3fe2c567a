package io.tokbench.registry.client;

/**
 * A registry call that failed: carries the subject (when there was one), the HTTP status and
 * Confluent's {@code error_code}, so callers can tell "not found" from "incompatible".
 */
public class RegistryException extends RuntimeException {
  private final String subject;
  private final int httpStatus;
  private final int errorCode;

  public RegistryException(String subject, int httpStatus, int errorCode, String message) {
    super(describe(subject, httpStatus, errorCode, message));
    this.subject = subject;
    this.httpStatus = httpStatus;
    this.errorCode = errorCode;
  }

  public RegistryException(String subject, String message, Throwable cause) {
    super(describe(subject, 0, 0, message), cause);
    this.subject = subject;
    this.httpStatus = 0;
    this.errorCode = 0;
  }

  private static String describe(String subject, int status, int code, String message) {
    StringBuilder text = new StringBuilder("Schema registry");
    if (subject != null) {
      text.append(" (subject '").append(subject).append("')");
    }
    text.append(": ").append(message);
    if (code != 0) {
      text.append("; error code ").append(code).append(", HTTP ").append(status);
    }
    return text.toString();
  }

  /** The subject the call was about, or null. */
  public String subject() {
    return subject;
  }

  /** HTTP status, or 0 when the registry was not reached. */
  public int httpStatus() {
    return httpStatus;
  }

  /** Confluent error code such as 40401, or 0 when the registry was not reached. */
  public int errorCode() {
    return errorCode;
  }
}
