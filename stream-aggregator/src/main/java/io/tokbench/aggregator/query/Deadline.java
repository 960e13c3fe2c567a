package io.tokbench.aggregator.query;

import io.javalin.http.Handler;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Public queries run on a bounded pool of workers, off Jetty's threads, each with a deadline: an
 * answer not ready after {@link #MILLIS} is 503 with Retry-After, and a full queue is 503 at once,
 * so a burst of expensive queries cannot take the listener's threads.
 */
final class Deadline implements AutoCloseable {
  static final long MILLIS = 10_000;
  private static final int WORKERS = 8;
  private static final int QUEUE = 128;

  private final ThreadPoolExecutor workers;

  Deadline() {
    AtomicInteger n = new AtomicInteger();
    workers = new ThreadPoolExecutor(WORKERS, WORKERS, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE), r -> {
      Thread t = new Thread(r, "query-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    }, new ThreadPoolExecutor.AbortPolicy());
  }

  Handler wrap(Handler handler) {
    return ctx -> ctx.async(task -> {
      task.executor = workers;
      task.timeout = MILLIS;
      task.onTimeout(late -> {
        late.header("Retry-After", "1");
        Answers.error(late, 503, "the answer took longer than " + MILLIS / 1000 + " s; retry shortly");
      });
    }, () -> handler.handle(ctx));
  }

  @Override
  public void close() {
    workers.shutdownNow();
  }
}
