package io.tokbench.aggregator.query;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.tokbench.aggregator.normalize.StatsKeys;
import io.tokbench.normalize.Normalization;
import io.tokbench.normalize.OrderStatistics;
import io.tokbench.schema.StatsRow;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/** Statistics rows: lists with filters and paging, one row, its distribution, where a rate stands, the export. */
final class StatsResource {
  static final int MAX_PAGE_SIZE = 1000;
  /** The validator refuses reports above this rate, so no one's rate is above it either. */
  static final double MAX_TOKENS_PER_SECOND = 100_000;
  private static final List<String> LIST = with(StatsFilter.PARAMETERS, "page", "size", "sort");
  private static final List<String> PERCENTILE = with(StatsFilter.PARAMETERS, "tps");
  private static final List<String> EXPORT = with(StatsFilter.PARAMETERS, "format");

  private final QueryService queries;
  private final KeptAnswers kept;

  /** A list query's parameters as checked: the key of its kept answer. */
  private record ListQuery(StatsFilter filter, int page, int size, String sort) {}

  /** A row query's key, as checked. */
  private record RowQuery(StatsFilter key) {}

  StatsResource(QueryService queries) {
    this.queries = queries;
    this.kept = new KeptAnswers(queries);
  }

  void routes(RoutesConfig routes, Deadline deadline) {
    routes.get("/api/v1/stats", deadline.wrap(this::list));
    routes.get("/api/v1/stats/row", deadline.wrap(this::row));
    routes.get("/api/v1/distribution", deadline.wrap(this::distribution));
    routes.get("/api/v1/percentile", deadline.wrap(this::percentile));
    routes.get("/api/v1/export", deadline.wrap(this::export));
  }

  private void list(Context ctx) {
    Params params = Params.of(ctx.queryParamMap(), LIST);
    StatsFilter filter = StatsFilter.from(params.map());
    int page = params.integer("page", 1, 1, Integer.MAX_VALUE);
    int size = params.integer("size", 50, 1, MAX_PAGE_SIZE);
    String sort = params.map().getOrDefault("sort", "-median");
    Comparator<StatsRow> order = order(sort);
    Freshness freshness = new Freshness();
    Function<List<StatsRow>, byte[]> render = rows -> page(rows, order, page, size);
    // One model's list is kept as sent; a list across models reads every partition and is rendered each time.
    byte[] body = filter.model() != null
        ? kept.answer(filter, new ListQuery(filter, page, size, sort), freshness, render)
        : render.apply(queries.stats(filter, freshness));
    Answers.json(ctx, body, freshness);
  }

  private static byte[] page(List<StatsRow> matching, Comparator<StatsRow> order, int page, int size) {
    List<StatsRow> rows = matching.stream().sorted(order).toList();
    ObjectNode body = RowJson.JSON.createObjectNode().put("total", rows.size()).put("page", page).put("size", size);
    ArrayNode array = body.putArray("rows");
    rows.stream().skip((long) (page - 1) * size).limit(size).forEach(r -> array.add(RowJson.stats(r)));
    return Answers.bytes(body);
  }

  private void row(Context ctx) {
    Freshness freshness = new Freshness();
    StatsFilter exact = exact(Params.of(ctx.queryParamMap(), StatsFilter.PARAMETERS).map(), freshness);
    Answers.json(ctx, kept.answer(exact, new RowQuery(exact), freshness, rows -> Answers.bytes(RowJson.stats(
        rows.stream().findFirst().orElseThrow(() -> new NotFoundException("no statistics for that key"))))), freshness);
  }

  private void distribution(Context ctx) {
    Freshness freshness = new Freshness();
    StatsFilter exact = exact(Params.of(ctx.queryParamMap(), StatsFilter.PARAMETERS).map(), freshness);
    ObjectNode body = RowJson.JSON.createObjectNode();
    ArrayNode values = body.putArray("rigMedians");
    for (double m : queries.rigMedians(exact, freshness)) {
      values.add(RowJson.rate(m));
    }
    Answers.json(ctx, body, freshness);
  }

  private void percentile(Context ctx) {
    Params params = Params.of(ctx.queryParamMap(), PERCENTILE);
    double tps = params.positive("tps", MAX_TOKENS_PER_SECOND);
    Freshness freshness = new Freshness();
    StatsFilter exact = exact(params.map(), freshness);
    double[] medians = queries.rigMedians(exact, freshness);
    if (medians.length == 0) {
      throw new NotFoundException("no statistics for that key");
    }
    double rank = OrderStatistics.percentileRank(medians, tps);
    String label = exact.gpu() + " · " + exact.quant() + " · " + Normalization.runtime(exact.runtime()) + " · " + (exact.ctx() / 1024) + "K";
    Answers.json(ctx, RowJson.JSON.createObjectNode().put("tokensPerSecond", RowJson.rate(tps)).put("percentile", RowJson.rate(rank)).put("rigCount", medians.length)
        .put("summary", String.format(Locale.ROOT, "your %s tok/s is at the %.0fth percentile of %s",
        java.math.BigDecimal.valueOf(RowJson.rate(tps)).stripTrailingZeros().toPlainString(), rank, label)), freshness);
  }

  /**
   * The row a request names. Without {@code backend} (a request of before it joined the key), the
   * one backend the setup was measured on; a setup measured on several needs it named.
   */
  private StatsFilter exact(Map<String, String> params, Freshness freshness) {
    StatsFilter exact = StatsFilter.exactKey(params);
    if (exact.backend() != null) {
      return exact;
    }
    List<String> backends = queries.stats(exact, freshness).stream().map(r -> r.getKey().getBackend()).distinct().sorted().toList();
    if (backends.isEmpty()) {
      throw new NotFoundException("no statistics for that key");
    }
    if (backends.size() > 1) {
      throw new StatsFilter.BadParameter("backend", "required: this setup was measured on " + String.join(" and ", backends));
    }
    return exact.withBackend(backends.get(0));
  }

  private void export(Context ctx) {
    Params params = Params.of(ctx.queryParamMap(), EXPORT);
    String format = params.map().getOrDefault("format", "json");
    if (!format.equals("json") && !format.equals("csv")) {
      throw new StatsFilter.BadParameter("format", "'" + format + "' is not json or csv");
    }
    Freshness freshness = new Freshness();
    List<StatsRow> rows = queries.stats(StatsFilter.from(params.map()), freshness).stream().sorted(order("model")).toList();
    if (format.equals("json")) {
      ArrayNode array = RowJson.JSON.createArrayNode();
      rows.forEach(r -> array.add(RowJson.stats(r, false)));
      Answers.json(ctx, array, freshness);
      return;
    }
    ctx.header(Freshness.STALE_HEADER, String.valueOf(freshness.isStale()));
    ctx.header("Content-Disposition", "attachment; filename=\"tokbench-stats.csv\"");
    ctx.contentType("text/csv; charset=utf-8").result(CsvExport.render(rows));
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

  private static List<String> with(List<String> base, String... more) {
    List<String> all = new ArrayList<>(base);
    all.addAll(List.of(more));
    return List.copyOf(all);
  }
}
