package io.tokbench.aggregator.query;

/** The tables are moving between instances (a rebalance): answer 503 with Retry-After, never a wrong answer. */
public final class NotReadyException extends RuntimeException {
  public NotReadyException(String message) {
    super(message);
  }
}
