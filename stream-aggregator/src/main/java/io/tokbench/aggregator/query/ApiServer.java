package io.tokbench.aggregator.query;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.tokbench.aggregator.app.AggregatorMetrics;
import io.tokbench.aggregator.normalize.StatsKeys;
import io.tokbench.normalize.Normalization;
import io.tokbench.normalize.OrderStatistics;
import io.tokbench.schema.CommunityRow;
import io.tokbench.schema.StatsRow;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The query API, JSON over HTTP under {@code /api/v1}, plus health, readiness, Prometheus metrics
 * and the OpenAPI description. Read-only; every instance answers every query.
 */
public final class ApiServer implements AutoCloseable {
  static {
    // The JDK server writes headers and body as separate small segments; without TCP_NODELAY,
    // Nagle's algorithm and the client's delayed ACK add ~40 ms to every answer. Read once, when
    // the first server in the JVM starts.
    System.setProperty("sun.net.httpserver.nodelay", "true");
  }

  private static final int MAX_PAGE_SIZE = 1000;

  private final QueryService queries;
  private final EstimateEndpoints estimates;
  private final ApiProtection protection;
  private final AdminOperations admin;
  private final RateLimiter limiter;
  private final AggregatorMetrics metrics;
  private final Supplier<String> streamsMetrics;
  private final HttpServer server;
  private final ExecutorService executor;

  public ApiServer(String host, int port, QueryService queries, AggregatorMetrics metrics, Supplier<String> streamsMetrics,
                   ApiProtection protection, AdminOperations admin) {
    this.queries = queries;
    this.protection = protection;
    this.admin = admin;
    this.limiter = new RateLimiter(protection.requestsPerSecond(), System::nanoTime);
    this.estimates = new EstimateEndpoints(queries);
    this.metrics = metrics;
    this.streamsMetrics = streamsMetrics;
    try {
      server = HttpServer.create(new InetSocketAddress(host, port), 256);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
    }
    executor = Executors.newFixedThreadPool(16, r -> {
      Thread t = new Thread(r, "api");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.createContext("/", this::handle);
  }

  public void start() {
    server.start();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private void handle(HttpExchange exchange) throws IOException {
    long started = System.nanoTime();
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      Map<String, String> params = params(exchange.getRequestURI().getRawQuery());
      try {
        if (!PROBES.contains(path)) {
          long wait = limiter.secondsToWait(exchange.getRemoteAddress().getAddress().getHostAddress());
          if (wait > 0) {
            exchange.getResponseHeaders().set("Retry-After", String.valueOf(wait));
            send(exchange, 429, error("too many requests: at most " + protection.requestsPerSecond() + " a second per client; retry after " + wait + " s"));
            return;
          }
        }
        String rawQuery = exchange.getRequestURI().getRawQuery();
        if (rawQuery != null && rawQuery.length() > ApiProtection.MAX_QUERY_CHARS) {
          send(exchange, 414, error("query string longer than " + ApiProtection.MAX_QUERY_CHARS + " characters"));
          return;
        }
        if (path.startsWith(ADMIN_PREFIX)) {
          admin(exchange, path);
          return;
        }
        if (!exchange.getRequestMethod().equals("GET")) {
          send(exchange, 405, error("only GET: the public API is read-only (operators: POST " + ADMIN_PREFIX + "…)"));
          return;
        }
        route(exchange, path, params);
      } catch (StatsFilter.BadParameter e) {
        send(exchange, 400, error(e.getMessage()).put("parameter", e.parameter()));
      } catch (NotFoundException e) {
        send(exchange, 404, error(e.getMessage()));
      } catch (NotReadyException e) {
        exchange.getResponseHeaders().set("Retry-After", "1");
        send(exchange, 503, error("not ready: " + e.getMessage()));
      } catch (RuntimeException e) {
        send(exchange, 500, error("internal error: " + e));
      }
    } finally {
      if (exchange.getRequestURI().getPath().startsWith("/api/")) {
        metrics.queries().record(System.nanoTime() - started);
      }
    }
  }

  private void route(HttpExchange exchange, String path, Map<String, String> params) throws IOException {
    boolean local = Boolean.parseBoolean(params.getOrDefault("local", "false"));
    switch (path) {
      case "/health" -> {
        // A Streams application in ERROR (e.g. its global thread died) never recovers by itself:
        // report it unhealthy so the orchestrator restarts the process.
        if (queries.failed()) {
          send(exchange, 503, RowJson.JSON.createObjectNode().put("status", "failed"));
        } else {
          send(exchange, 200, RowJson.JSON.createObjectNode().put("status", "up"));
        }
      }
      case "/ready" -> {
        if (queries.ready()) {
          send(exchange, 200, RowJson.JSON.createObjectNode().put("status", "ready"));
        } else {
          exchange.getResponseHeaders().set("Retry-After", "1");
          send(exchange, 503, RowJson.JSON.createObjectNode().put("status", "not ready"));
        }
      }
      case "/metrics" -> sendText(exchange, 200, "text/plain; version=0.0.4", prometheus());
      case "/api/v1/openapi.json" -> sendBytes(exchange, 200, "application/json", resource("/openapi.json"));
      case "/api/v1/stats" -> listStats(exchange, params, local);
      case "/api/v1/stats/row" -> {
        StatsFilter exact = exactKey(params);
        StatsRow row = queries.row(exact, params, local).orElse(null);
        if (row == null) {
          send(exchange, 404, error("no statistics for that key"));
        } else {
          send(exchange, 200, RowJson.stats(row));
        }
      }
      case "/api/v1/distribution" -> {
        StatsFilter exact = exactKey(params);
        double[] medians = queries.rigMedians(exact, params, local);
        ObjectNode body = RowJson.JSON.createObjectNode();
        ArrayNode values = body.putArray("rigMedians");
        for (double m : medians) {
          values.add(m);
        }
        send(exchange, 200, body);
      }
      case "/api/v1/percentile" -> percentile(exchange, params, local);
      case "/api/v1/models" -> sendSeen(exchange, "models", queries.seen(r -> r.getKey().getModel()));
      case "/api/v1/gpus" -> sendSeen(exchange, "gpus", queries.seen(r -> r.getKey().getGpu()));
      case "/api/v1/export" -> export(exchange, params);
      case "/api/v1/estimate" -> send(exchange, 200, estimates.estimate(params));
      case "/api/v1/calibration" -> send(exchange, 200, estimates.calibrationTable());
      case "/api/v1/catalog/gpus" -> send(exchange, 200, estimates.catalogGpus());
      case "/", "/index.html" -> sendWeb(exchange, "index.html");
      case "/static/app.js" -> sendWeb(exchange, "app.js");
      case "/static/style.css" -> sendWeb(exchange, "style.css");
      default -> {
        if (path.startsWith("/models/") || path.startsWith("/gpus/")) {
          sendWeb(exchange, "index.html"); // the page routes on its path
        } else if (path.startsWith("/api/v1/models/")) {
          send(exchange, 200, estimates.model(URLDecoder.decode(path.substring("/api/v1/models/".length()), StandardCharsets.UTF_8)));
        } else if (path.startsWith("/api/v1/community/")) {
          String model = URLDecoder.decode(path.substring("/api/v1/community/".length()), StandardCharsets.UTF_8);
          List<CommunityRow> rows = queries.community(model, local);
          if (rows.isEmpty() && !local) {
            send(exchange, 404, error("no reports for model '" + model + "'"));
            return;
          }
          ObjectNode body = RowJson.JSON.createObjectNode().put("model", model);
          ArrayNode array = body.putArray("rows");
          rows.stream().sorted(Comparator.comparingDouble(CommunityRow::getMedianTokensPerSecond).reversed()).forEach(r -> array.add(RowJson.community(r)));
          send(exchange, 200, body);
        } else {
          send(exchange, 404, error("no such endpoint: " + path + " (see /api/v1/openapi.json)"));
        }
      }
    }
  }

  private static final String ADMIN_PREFIX = "/api/v1/admin/";
  /** Health checks and scrapers are never rate-limited. */
  private static final java.util.Set<String> PROBES = java.util.Set.of("/health", "/ready", "/metrics");

  /** POST /api/v1/admin/retractions and /api/v1/admin/recalibrate, for holders of the operator token. */
  private void admin(HttpExchange exchange, String path) throws IOException {
    String authorization = exchange.getRequestHeaders().getFirst("Authorization");
    if (authorization == null || !authorization.startsWith("Bearer ")) {
      exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"tokbench-admin\"");
      send(exchange, 401, error("the admin API needs the operator token: Authorization: Bearer <token>"));
      return;
    }
    if (protection.adminToken() == null) {
      send(exchange, 403, error("the admin API is off on this instance (no operator token configured: TOKBENCH_ADMIN_TOKEN)"));
      return;
    }
    byte[] presented = authorization.substring("Bearer ".length()).trim().getBytes(StandardCharsets.UTF_8);
    if (!java.security.MessageDigest.isEqual(presented, protection.adminToken().getBytes(StandardCharsets.UTF_8))) {
      send(exchange, 403, error("wrong operator token"));
      return;
    }
    if (!exchange.getRequestMethod().equals("POST")) {
      send(exchange, 405, error("admin operations are POST"));
      return;
    }
    byte[] body = exchange.getRequestBody().readNBytes(ApiProtection.MAX_BODY_BYTES + 1);
    if (body.length > ApiProtection.MAX_BODY_BYTES) {
      send(exchange, 413, error("request body larger than " + ApiProtection.MAX_BODY_BYTES + " bytes"));
      return;
    }
    switch (path.substring(ADMIN_PREFIX.length())) {
      case "retractions" -> {
        com.fasterxml.jackson.databind.JsonNode request;
        try {
          request = RowJson.JSON.readTree(body.length == 0 ? "{}".getBytes(StandardCharsets.UTF_8) : body);
        } catch (IOException e) {
          throw new StatsFilter.BadParameter("body", "not JSON: " + e.getMessage());
        }
        var retraction = AdminOperations.retraction(uuid(request, "rigId"), uuid(request, "reportId"),
            request.hasNonNull("reason") ? request.get("reason").asText() : "", java.time.Instant.now());
        AdminOperations.Published published = admin.retract(retraction);
        ObjectNode answer = RowJson.JSON.createObjectNode().put("status", "accepted")
            .put("rigId", retraction.getRigId() == null ? null : retraction.getRigId().toString())
            .put("reportId", retraction.getReportId() == null ? null : retraction.getReportId().toString())
            .put("topic", published.topic()).put("partition", published.partition()).put("offset", published.offset());
        send(exchange, 202, answer);
      }
      case "recalibrate" -> send(exchange, 202, RowJson.JSON.createObjectNode().put("status", "accepted").put("partitions", admin.recalibrate()));
      default -> send(exchange, 404, error("no such admin operation: " + path + " (retractions, recalibrate)"));
    }
  }

  private static java.util.UUID uuid(com.fasterxml.jackson.databind.JsonNode request, String field) {
    if (!request.hasNonNull(field)) {
      return null;
    }
    try {
      return java.util.UUID.fromString(request.get(field).asText());
    } catch (IllegalArgumentException e) {
      throw new StatsFilter.BadParameter(field, "'" + request.get(field).asText() + "' is not a UUID");
    }
  }

  private void listStats(HttpExchange exchange, Map<String, String> params, boolean local) throws IOException {
    StatsFilter filter = StatsFilter.from(params);
    int page = positive(params, "page", 1);
    int size = positive(params, "size", 50);
    if (size > MAX_PAGE_SIZE && !local) {
      throw new StatsFilter.BadParameter("size", size + " is above the maximum of " + MAX_PAGE_SIZE);
    }
    Comparator<StatsRow> order = order(params.getOrDefault("sort", "-median"));
    List<StatsRow> rows = queries.stats(filter, params, local).stream().sorted(order).toList();
    ObjectNode body = RowJson.JSON.createObjectNode().put("total", rows.size()).put("page", page).put("size", size);
    ArrayNode array = body.putArray("rows");
    rows.stream().skip((long) (page - 1) * size).limit(size).forEach(r -> array.add(RowJson.stats(r)));
    send(exchange, 200, body);
  }

  private void percentile(HttpExchange exchange, Map<String, String> params, boolean local) throws IOException {
    String tpsText = params.get("tps");
    if (tpsText == null) {
      throw new StatsFilter.BadParameter("tps", "required: the generation rate to place, in tokens per second");
    }
    double tps;
    try {
      tps = Double.parseDouble(tpsText);
    } catch (NumberFormatException e) {
      throw new StatsFilter.BadParameter("tps", "'" + tpsText + "' is not a number");
    }
    StatsFilter exact = exactKey(params);
    double[] medians = queries.rigMedians(exact, params, local);
    if (medians.length == 0) {
      send(exchange, 404, error("no statistics for that key"));
      return;
    }
    double rank = OrderStatistics.percentileRank(medians, tps);
    String label = exact.gpu() + " · " + exact.quant() + " · " + Normalization.runtime(exact.runtime()) + " · " + (exact.ctx() / 1024) + "K";
    send(exchange, 200, RowJson.JSON.createObjectNode().put("tokensPerSecond", tps).put("percentile", rank).put("rigCount", medians.length)
        .put("summary", String.format(Locale.ROOT, "your %.0f tok/s is at the %.0fth percentile of %s", tps, rank, label)));
  }

  private void export(HttpExchange exchange, Map<String, String> params) throws IOException {
    String format = params.getOrDefault("format", "json");
    List<StatsRow> rows = queries.stats(StatsFilter.from(params), params, false);
    if (format.equals("json")) {
      ArrayNode array = RowJson.JSON.createArrayNode();
      rows.forEach(r -> array.add(RowJson.stats(r)));
      send(exchange, 200, array);
    } else if (format.equals("csv")) {
      StringBuilder csv = new StringBuilder("model,gpu,gpuCount,quant,runtime,ctx,suite,offload,concurrency,p10,p25,median,p75,p90,reportCount,rigCount,firstReportAt,lastReportAt\n");
      for (StatsRow r : rows) {
        var k = r.getKey();
        var p = r.getGenerationTokensPerSecond();
        csv.append(String.join(",", csv(k.getModel()), csv(k.getGpu()), String.valueOf(k.getGpuCount()), csv(k.getQuantization()), csv(k.getRuntime()),
            String.valueOf(k.getContextBucket()), csv(k.getSuiteId()), k.getOffloadClass().name(), String.valueOf(k.getConcurrency()),
            String.valueOf(p.getP10()), String.valueOf(p.getP25()), String.valueOf(p.getMedian()), String.valueOf(p.getP75()), String.valueOf(p.getP90()),
            String.valueOf(r.getReportCount()), String.valueOf(r.getRigCount()), r.getFirstReportAt().toString(), r.getLastReportAt().toString())).append('\n');
      }
      exchange.getResponseHeaders().set("Content-Disposition", "attachment; filename=\"tokbench-stats.csv\"");
      sendText(exchange, 200, "text/csv; charset=utf-8", csv.toString());
    } else {
      throw new StatsFilter.BadParameter("format", "'" + format + "' is not json or csv");
    }
  }

  private static String csv(String value) {
    return value.contains(",") || value.contains("\"") ? "\"" + value.replace("\"", "\"\"") + "\"" : value;
  }

  private void sendSeen(HttpExchange exchange, String name, Map<String, long[]> seen) throws IOException {
    ObjectNode body = RowJson.JSON.createObjectNode();
    ArrayNode array = body.putArray(name);
    seen.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[2], a.getValue()[2]))
        .forEach(e -> array.addObject().put("id", e.getKey()).put("rows", e.getValue()[0]).put("rigs", e.getValue()[1]).put("reports", e.getValue()[2]));
    send(exchange, 200, body);
  }

  private static StatsFilter exactKey(Map<String, String> params) {
    StatsFilter filter = StatsFilter.from(params);
    if (!filter.isExactKey()) {
      for (String name : StatsFilter.PARAMETERS) {
        if (!params.containsKey(name)) {
          throw new StatsFilter.BadParameter(name, "required: a row is named by all of " + String.join(", ", StatsFilter.PARAMETERS));
        }
      }
    }
    return filter;
  }

  private static Comparator<StatsRow> order(String sort) {
    boolean descending = sort.startsWith("-");
    Comparator<StatsRow> by = switch (descending ? sort.substring(1) : sort) {
      case "median" -> Comparator.comparingDouble(r -> r.getGenerationTokensPerSecond().getMedian());
      case "rigs" -> Comparator.comparingInt(StatsRow::getRigCount);
      case "reports" -> Comparator.comparingLong(StatsRow::getReportCount);
      case "model" -> Comparator.comparing(r -> r.getKey().getModel());
      case "gpu" -> Comparator.comparing(r -> r.getKey().getGpu());
      case "last" -> Comparator.comparing(StatsRow::getLastReportAt);
      default -> throw new StatsFilter.BadParameter("sort", "'" + sort + "' is not one of median, rigs, reports, model, gpu, last (prefix - for descending)");
    };
    // A stable tie-break, so pages do not shuffle rows between requests.
    Comparator<StatsRow> ordered = descending ? by.reversed() : by;
    return ordered.thenComparing(r -> StatsKeys.encode(r.getKey()));
  }

  private static int positive(Map<String, String> params, String name, int fallback) {
    Integer n = StatsFilter.strictInteger(params, name);
    if (n != null && n < 1) {
      throw new StatsFilter.BadParameter(name, n + " is not a positive number");
    }
    return n == null ? fallback : n;
  }

  private String prometheus() {
    StringBuilder out = new StringBuilder();
    out.append("# TYPE tokbench_reports_accepted_total counter\ntokbench_reports_accepted_total ").append(metrics.acceptedCount()).append('\n');
    out.append("# TYPE tokbench_reports_rejected_total counter\n");
    metrics.rejectedCounts().forEach((reason, count) -> out.append("tokbench_reports_rejected_total{reason=\"").append(reason).append("\"} ").append(count.sum()).append('\n'));
    out.append(metrics.queries().render("tokbench_query_latency_seconds"));
    out.append(streamsMetrics.get());
    return out.toString();
  }

  private static ObjectNode error(String message) {
    return RowJson.JSON.createObjectNode().put("error", message);
  }

  private static void send(HttpExchange exchange, int status, com.fasterxml.jackson.databind.JsonNode body) throws IOException {
    sendText(exchange, status, "application/json", body.toString());
  }

  private static void sendText(HttpExchange exchange, int status, String contentType, String text) throws IOException {
    sendBytes(exchange, status, contentType, text.getBytes(StandardCharsets.UTF_8));
  }

  private static void sendBytes(HttpExchange exchange, int status, String contentType, byte[] bytes) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", contentType);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static final Map<String, String> WEB_TYPES = Map.of(
      "html", "text/html; charset=utf-8", "js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8");

  /** The web page's files, bundled in the jar: no separate build or CDN. */
  private static void sendWeb(HttpExchange exchange, String file) throws IOException {
    exchange.getResponseHeaders().set("Cache-Control", "no-cache");
    sendBytes(exchange, 200, WEB_TYPES.get(file.substring(file.lastIndexOf('.') + 1)), resource("/web/" + file));
  }

  /** Bundled files never change while the process runs: read each once. */
  private static final Map<String, byte[]> RESOURCES = new java.util.concurrent.ConcurrentHashMap<>();

  private static byte[] resource(String name) {
    return RESOURCES.computeIfAbsent(name, n -> {
      try (InputStream in = ApiServer.class.getResourceAsStream(n)) {
        return in.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  private static Map<String, String> params(String rawQuery) {
    Map<String, String> params = new HashMap<>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return params;
    }
    for (String pair : rawQuery.split("&")) {
      int eq = pair.indexOf('=');
      String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      params.put(key, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return params;
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
