package io.tokbench.agent.probe;

/** The context one request may use cannot hold the suite's prompt and generated tokens. */
public class ContextTooSmallException extends RuntimeException {
  public ContextTooSmallException(String message) {
    super(message);
  }
}
