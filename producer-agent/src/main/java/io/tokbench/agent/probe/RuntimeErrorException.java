package io.tokbench.agent.probe;

/**
 * The runtime was reached and failed: it answered a request with an error, sent an error in the
 * middle of a stream, cut a stream short, or answered something the agent cannot read.
 */
public class RuntimeErrorException extends RuntimeException {
  public RuntimeErrorException(String message) {
    super(message);
  }

  public RuntimeErrorException(String message, Throwable cause) {
    super(message, cause);
  }
}
