package io.tokbench.aggregator.query;

import io.tokbench.aggregator.app.AggregatorMetrics;

/**
 * The aggregator's two HTTP listeners, each Javalin on Jetty with its own threads.
 *
 * <ul>
 *   <li>Public (the Ingress routes to it): the web page and the read-only query API under
 *       {@code /api/v1}, rate-limited per client address, each query on a bounded worker pool with
 *       a deadline.
 *   <li>Internal (never exposed outside the cluster): instance-to-instance queries
 *       ({@code /internal/v1}), the operator's {@code /admin/v1} (token required), and
 *       {@code /health}, {@code /ready}, {@code /metrics}. Separate threads, so public load can
 *       never starve the peer queries it waits on.
 * </ul>
 */
public final class ApiServer implements AutoCloseable {
  private static final int PUBLIC_THREADS = 16;
  private static final int INTERNAL_THREADS = 12;

  private final Deadline deadline;
  private final Listener publicListener;
  private final Listener internalListener;

  private ApiServer(Deadline deadline, Listener publicListener, Listener internalListener) {
    this.deadline = deadline;
    this.publicListener = publicListener;
    this.internalListener = internalListener;
  }

  /** Where to listen: one host, two ports (0: any free port). */
  public record Ports(String host, int publicPort, int internalPort) {}

  public static ApiServer start(Ports ports, QueryService queries, Readiness readiness, AggregatorMetrics metrics, ApiProtection protection, AdminOperations admin) {
    Deadline deadline = new Deadline();
    RateLimiter limiter = new RateLimiter(protection.requestsPerSecond(), System::nanoTime);
    Listener internal = Listener.start("internal", ports.host(), ports.internalPort(), INTERNAL_THREADS, metrics, config -> {
      new PeerResource(queries).routes(config.routes);
      new AdminResource(protection, admin).routes(config.routes);
      new ProbeResource(readiness, metrics).routes(config.routes);
    });
    try {
      Listener publicListener = Listener.start("api", ports.host(), ports.publicPort(), PUBLIC_THREADS, metrics, config -> {
        config.http.prefer405over404 = true;
        config.routes.before(ctx -> {
          String query = ctx.queryString();
          if (query != null && query.length() > ApiProtection.MAX_QUERY_CHARS) {
            Answers.error(ctx, 414, "query string longer than " + ApiProtection.MAX_QUERY_CHARS + " characters");
            ctx.skipRemainingHandlers();
            return;
          }
          long wait = limiter.secondsToWait(ctx.ip());
          if (wait > 0) {
            ctx.header("Retry-After", String.valueOf(wait));
            Answers.error(ctx, 429, "too many requests: at most " + protection.requestsPerSecond() + " a second per client; retry after " + wait + " s");
            ctx.skipRemainingHandlers();
          }
        });
        new StatsResource(queries).routes(config.routes, deadline);
        new CommunityResource(queries).routes(config.routes, deadline);
        new EstimateEndpoints(queries).routes(config.routes, deadline);
        new WebResource(queries).setup(config, deadline);
      });
      return new ApiServer(deadline, publicListener, internal);
    } catch (RuntimeException e) {
      internal.close();
      deadline.close();
      throw e;
    }
  }

  public int publicPort() {
    return publicListener.port();
  }

  public int internalPort() {
    return internalListener.port();
  }

  @Override
  public void close() {
    publicListener.close();
    internalListener.close();
    deadline.close();
  }
}
