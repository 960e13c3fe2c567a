package io.tokbench.aggregator.app;

import java.time.Duration;

/**
 * How long a dying stream thread waits before its replacement starts: 1 s, doubling to 30 s while
 * failures follow each other, back to 1 s after a quiet period. Thread replacement is only for
 * faults outside the records (the registry away), which a busy retry loop would only hammer.
 */
final class ReplacementBackoff {
  static final Duration FIRST = Duration.ofSeconds(1);
  static final Duration MAX = Duration.ofSeconds(30);
  static final Duration QUIET = Duration.ofMinutes(5);

  private Duration next = FIRST;
  private long lastFailureNanos;

  /** The wait before this replacement, given that a failure happens now. */
  synchronized Duration onFailure(long nowNanos) {
    if (lastFailureNanos != 0 && nowNanos - lastFailureNanos > QUIET.toNanos()) {
      next = FIRST;
    }
    lastFailureNanos = nowNanos;
    Duration wait = next;
    next = next.multipliedBy(2).compareTo(MAX) > 0 ? MAX : next.multipliedBy(2);
    return wait;
  }
}
