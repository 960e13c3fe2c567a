package io.tokbench.agent.probe;

/** The runtime did not answer, or answered with an error the probe cannot work around. */
public class RuntimeUnavailableException extends RuntimeException {
  public RuntimeUnavailableException(String message) {
    super(message);
  }

  public RuntimeUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
