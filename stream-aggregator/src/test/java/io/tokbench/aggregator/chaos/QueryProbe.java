package io.tokbench.aggregator.chaos;

import io.tokbench.aggregator.support.RunningAggregators;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Asks an instance for the statistics list every 250 ms while a fault plays out, and counts how
 * the questions were answered: what a visitor of the web page would have seen.
 */
final class QueryProbe implements AutoCloseable {
  private final AtomicInteger answered = new AtomicInteger();
  private final AtomicInteger unavailable = new AtomicInteger();
  private final AtomicInteger unreachable = new AtomicInteger();
  private final Thread thread;
  private volatile boolean running = true;

  QueryProbe(String apiUrl) {
    thread = new Thread(() -> {
      while (running) {
        try {
          int status = RunningAggregators.get(apiUrl + "/api/v1/stats?size=1").status();
          (status == 200 ? answered : unavailable).incrementAndGet();
        } catch (IllegalStateException e) {
          unreachable.incrementAndGet();
        }
        try {
          Thread.sleep(250);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "query-probe");
    thread.setDaemon(true);
    thread.start();
  }

  /** "412 queries: 398 answered, 14 answered 503, 0 unreachable". */
  String summary() {
    int total = answered.get() + unavailable.get() + unreachable.get();
    return String.format("%d queries: %d answered, %d refused (503), %d unreachable", total, answered.get(), unavailable.get(), unreachable.get());
  }

  int answered() {
    return answered.get();
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
  }
}
