package io.tokbench.aggregator.query;

import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.router.Endpoint;
import io.tokbench.aggregator.app.AggregatorMetrics;
import java.util.function.Consumer;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * One HTTP listener: Javalin on Jetty with what every listener shares. Jetty reads requests with
 * non-blocking I/O, so a client that sends its request slowly holds no thread; a client that reads
 * its answer slowly holds one only while it reads at least {@link #MIN_RESPONSE_BYTES_PER_SECOND},
 * and at most {@link #IDLE_TIMEOUT_MS} without progress. The pool is bounded, and so are the open
 * connections ({@link #MAX_CONNECTIONS}: beyond them Jetty stops accepting until one closes). Work
 * that can take long runs on a {@link Deadline}'s workers, not here. JSON answers get ETags (304 on a match)
 * and gzip; every failure is JSON ({@link JsonErrors}); every answer is timed per endpoint.
 */
final class Listener implements AutoCloseable {
  static final int IDLE_TIMEOUT_MS = 30_000;
  /** What Javalin copies an answer through: one write for a one-row answer, a few for a page. */
  static final int RESPONSE_COPY_BYTES = 4096;
  static final long MIN_RESPONSE_BYTES_PER_SECOND = 1024;
  static final int MAX_CONNECTIONS = 2000;
  /** Headers and request line: the API's own 414 for long query strings comes first (ApiProtection). */
  private static final int REQUEST_HEADER_BYTES = 16 * 1024;

  private final Javalin app;
  private final ServerConnector[] connector = new ServerConnector[1];

  private Listener(String name, String host, int port, int threads, AggregatorMetrics metrics, Consumer<JavalinConfig> setup) {
    app = Javalin.create(config -> {
      config.startup.showJavalinBanner = false;
      config.startup.showOldJavalinVersionWarning = false;
      QueuedThreadPool pool = new QueuedThreadPool(threads, Math.min(4, threads));
      pool.setName(name);
      config.jetty.threadPool = pool;
      config.jetty.modifyServer(server -> {
        server.setErrorHandler(new JsonErrors.JettyHandler());
        server.addBean(new NetworkConnectionLimit(MAX_CONNECTIONS, server));
      });
      config.jetty.modifyHttpConfiguration(http -> {
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        http.setRequestHeaderSize(REQUEST_HEADER_BYTES);
        http.setMinResponseDataRate(MIN_RESPONSE_BYTES_PER_SECOND);
        http.setMinRequestDataRate(MIN_RESPONSE_BYTES_PER_SECOND);
        // A raw '<' or '\\' in a path reaches the route, whose id check names the parameter;
        // ambiguous paths (encoded '/', '..', bad escapes) are still refused by Jetty.
        http.setUriCompliance(UriCompliance.DEFAULT.with("tokbench", UriCompliance.Violation.ILLEGAL_PATH_CHARACTERS,
            UriCompliance.Violation.SUSPICIOUS_PATH_CHARACTERS));
      });
      config.jetty.addConnector((server, http) -> {
        ServerConnector c = new ServerConnector(server, new HttpConnectionFactory(http));
        c.setHost(host);
        c.setPort(port);
        c.setIdleTimeout(IDLE_TIMEOUT_MS);
        connector[0] = c;
        return c;
      });
      config.http.generateEtags = true;
      config.http.compressionStrategy = CompressionStrategy.GZIP;
      config.http.maxRequestSize = ApiProtection.MAX_BODY_BYTES;
      // Javalin copies every answer to Jetty's (buffered) output through a new array of this size,
      // by default Jetty's output buffer, 32 KiB: half of all a query allocated, for 1 KiB answers.
      config.http.responseBufferSize = RESPONSE_COPY_BYTES;
      config.http.defaultContentType = Answers.JSON_TYPE;
      config.requestLogger.http((ctx, millis) -> metrics.query(endpoint(ctx), ctx.statusCode(), (long) (millis * 1e6)));
      JsonErrors.install(config.routes);
      setup.accept(config);
    });
  }

  static Listener start(String name, String host, int port, int threads, AggregatorMetrics metrics, Consumer<JavalinConfig> setup) {
    Listener listener = new Listener(name, host, port, threads, metrics, setup);
    try {
      listener.app.start();
    } catch (RuntimeException e) {
      listener.close();
      throw new IllegalStateException("cannot listen on " + host + ":" + port + " (" + name + "): is the port in use?", e);
    }
    return listener;
  }

  int port() {
    return connector[0].getLocalPort();
  }

  /** The route's path template ("/api/v1/community/<model>"), so ids do not multiply the series. */
  private static String endpoint(Context ctx) {
    try {
      Endpoint matched = ctx.endpoints().matchedHttpEndpoint();
      if (matched != null) {
        return matched.path;
      }
    } catch (RuntimeException notMatched) {
      // no route matched: static files or a 404
    }
    return ctx.path().startsWith("/static/") ? "/static" : "unmatched";
  }

  @Override
  public void close() {
    app.stop();
  }
}
