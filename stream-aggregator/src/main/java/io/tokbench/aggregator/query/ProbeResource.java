package io.tokbench.aggregator.query;

import io.javalin.config.RoutesConfig;
import io.tokbench.aggregator.app.AggregatorMetrics;

/**
 * For the orchestrator and the scraper, on the internal listener: {@code /health} (the process
 * works; 503 once Kafka Streams failed for good, so it is restarted), {@code /ready} (it can serve
 * queries: see {@link Readiness}) and {@code /metrics} (Prometheus text format).
 */
final class ProbeResource {
  private final Readiness readiness;
  private final AggregatorMetrics metrics;

  ProbeResource(Readiness readiness, AggregatorMetrics metrics) {
    this.readiness = readiness;
    this.metrics = metrics;
  }

  void routes(RoutesConfig routes) {
    routes.get("/health", ctx -> Answers.json(ctx, readiness.failed() ? 503 : 200,
        RowJson.JSON.createObjectNode().put("status", readiness.failed() ? "failed" : "up")));
    routes.get("/ready", ctx -> {
      Readiness.Status status = readiness.status();
      if (!status.ready()) {
        ctx.header("Retry-After", "1");
      }
      Answers.json(ctx, status.ready() ? 200 : 503, RowJson.JSON.createObjectNode().put("status", status.ready() ? "ready" : "not ready").put("reason", status.reason()));
    });
    routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape()));
  }
}
