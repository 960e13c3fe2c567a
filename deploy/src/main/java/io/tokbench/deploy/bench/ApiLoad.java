package io.tokbench.deploy.bench;

import io.tokbench.normalize.OrderStatistics;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.client.BufferingResponseListener;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Result;

/**
 * 64 API clients asking for one model's rows at a time, on Jetty's asynchronous client: a blocking
 * client with a thread per connection spent more CPU on this 2-core machine than the aggregator
 * answering it, so its figures were the load generator's. Two measurements:
 * <ul>
 *   <li><b>saturation</b>: every client sends its next query when the last one is answered (closed
 *       loop) — the most the aggregator answers here; its latency is mostly queueing, since 64
 *       queries are always in flight;</li>
 *   <li><b>at a fixed rate</b>: the clients together send {@code rate} queries a second on a
 *       schedule, whatever the answers do (open loop), and a query's latency counts from when it was
 *       due, so a stall is charged to every query it delayed (no coordinated omission).</li>
 * </ul>
 */
final class ApiLoad implements AutoCloseable {
  static final int CLIENTS = 64;

  /** Latencies (ms) of the answered queries, and how many were not answered 200. */
  record Figures(double seconds, double[] millis, int failures) {
    double perSecond() {
      return millis.length / seconds;
    }

    double p50() {
      return OrderStatistics.percentile(millis, 50);
    }

    double p99() {
      return OrderStatistics.percentile(millis, 99);
    }

    double max() {
      return millis.length == 0 ? Double.NaN : millis[millis.length - 1];
    }
  }

  private final String apiUrl;
  private final List<String> models;
  private final HttpClient http = new HttpClient();

  ApiLoad(String apiUrl, List<String> models) throws Exception {
    this.apiUrl = apiUrl;
    this.models = List.copyOf(models);
    http.setMaxConnectionsPerDestination(CLIENTS);
    http.setMaxRequestsQueuedPerDestination(1_000_000);
    http.start();
  }

  /** Closed loop: each client's next query leaves when its last one is answered. */
  Figures saturation(Duration duration) throws InterruptedException {
    Recorder recorder = new Recorder();
    long end = System.nanoTime() + duration.toNanos();
    CountDownLatch done = new CountDownLatch(CLIENTS);
    for (int c = 0; c < CLIENTS; c++) {
      sendInLoop(recorder, end, done);
    }
    done.await();
    return recorder.figures(duration);
  }

  private void sendInLoop(Recorder recorder, long end, CountDownLatch done) {
    if (System.nanoTime() >= end) {
      done.countDown();
      return;
    }
    long sent = System.nanoTime();
    send(sent, recorder, () -> sendInLoop(recorder, end, done));
  }

  /** Open loop: {@code perSecond} queries a second, spread over the clients, each timed from when it was due. */
  Figures atRate(double perSecond, Duration duration) throws InterruptedException {
    Recorder recorder = new Recorder();
    long total = Math.max(1, (long) (perSecond * duration.toSeconds()));
    long intervalNanos = (long) (1e9 / perSecond);
    AtomicLong next = new AtomicLong();
    CountDownLatch answered = new CountDownLatch((int) total);
    ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor();
    long start = System.nanoTime();
    clock.scheduleAtFixedRate(() -> {
      // Catch up on every query that fell due since the last tick, each with its own due time.
      long now = System.nanoTime();
      for (long n = next.get(); n < total && start + n * intervalNanos <= now; n = next.incrementAndGet()) {
        send(start + n * intervalNanos, recorder, answered::countDown);
      }
    }, 0, Math.max(100_000, intervalNanos), TimeUnit.NANOSECONDS);
    boolean all = answered.await(duration.toSeconds() + 60, TimeUnit.SECONDS);
    clock.shutdownNow();
    if (!all) {
      recorder.failures.addAndGet((int) answered.getCount());
    }
    return recorder.figures(duration);
  }

  private void send(long dueNanos, Recorder recorder, Runnable then) {
    String model = models.get(ThreadLocalRandom.current().nextInt(models.size()));
    http.newRequest(apiUrl + "/api/v1/stats?model=" + URLEncoder.encode(model, StandardCharsets.UTF_8))
        .send(new BufferingResponseListener() {
          @Override
          public void onComplete(Result result) {
            if (result.isSucceeded() && result.getResponse().getStatus() == 200) {
              recorder.latencies.add((System.nanoTime() - dueNanos) / 1e6);
            } else {
              recorder.failures.incrementAndGet();
            }
            then.run();
          }
        });
  }

  private static final class Recorder {
    final ConcurrentLinkedQueue<Double> latencies = new ConcurrentLinkedQueue<>();
    final AtomicInteger failures = new AtomicInteger();

    Figures figures(Duration duration) {
      double[] millis = latencies.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      return new Figures(duration.toMillis() / 1000.0, millis, failures.get());
    }
  }

  @Override
  public void close() throws Exception {
    http.stop();
  }
}
