package io.tokbench.agent.probe;

/** The runtime refused the request for want of a valid API key (HTTP 401 or 403). */
public class RuntimeAuthenticationException extends RuntimeException {
  public RuntimeAuthenticationException(String message) {
    super(message);
  }
}
