package io.tokbench.aggregator.query;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A token bucket per client address: a client may send {@code perSecond} requests a second on
 * average and bursts of twice that. Above it the answer is 429 with the seconds until a request
 * would pass, so one script cannot take the API from everyone else.
 */
public final class RateLimiter {
  /** Buckets idle this long are full again and forgotten, so the map stays as small as the active clients. */
  private static final long IDLE_NANOS = 60_000_000_000L;

  private final double perSecond;
  private final double burst;
  private final LongSupplier nanoTime;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
  private volatile long lastSweep;

  private static final class Bucket {
    double tokens;
    long updated;

    Bucket(double tokens, long updated) {
      this.tokens = tokens;
      this.updated = updated;
    }
  }

  /** @param perSecond average requests per second per client; 0 or less turns limiting off */
  public RateLimiter(double perSecond, LongSupplier nanoTime) {
    this.perSecond = perSecond;
    this.burst = Math.max(1, 2 * perSecond);
    this.nanoTime = nanoTime;
  }

  /** 0 when the request may pass, else the whole seconds (at least 1) to wait. */
  public long secondsToWait(String client) {
    if (perSecond <= 0) {
      return 0;
    }
    long now = nanoTime.getAsLong();
    sweep(now);
    Bucket bucket = buckets.computeIfAbsent(client, c -> new Bucket(burst, now));
    synchronized (bucket) {
      bucket.tokens = Math.min(burst, bucket.tokens + (now - bucket.updated) / 1e9 * perSecond);
      bucket.updated = now;
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return 0;
      }
      return Math.max(1, (long) Math.ceil((1 - bucket.tokens) / perSecond));
    }
  }

  private void sweep(long now) {
    if (now - lastSweep < IDLE_NANOS) {
      return;
    }
    lastSweep = now;
    buckets.entrySet().removeIf(e -> now - e.getValue().updated > IDLE_NANOS);
  }
}
