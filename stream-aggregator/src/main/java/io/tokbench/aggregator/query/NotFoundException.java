package io.tokbench.aggregator.query;

/** The thing asked for does not exist (yet): answered 404 with the message. */
public final class NotFoundException extends RuntimeException {
  public NotFoundException(String message) {
    super(message);
  }
}
