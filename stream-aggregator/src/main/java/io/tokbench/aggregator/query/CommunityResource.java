package io.tokbench.aggregator.query;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.tokbench.catalog.GpuCatalog;
import io.tokbench.catalog.GpuSpec;
import io.tokbench.catalog.ModelCatalog;
import io.tokbench.schema.CommunityRow;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What community sites show: per model, the best-supported setup of each GPU; and what has been
 * seen, the models and GPUs with their rows, reports and distinct rigs.
 */
final class CommunityResource {
  private final QueryService queries;
  private final ModelCatalog models = ModelCatalog.shared();
  private final GpuCatalog gpus = GpuCatalog.shared();
  /** Per endpoint, the last answer and the tallies it was rendered from ({@link QueryService#seen} returns them again while nothing changed). */
  private final Map<String, Rendered> lastSeen = new ConcurrentHashMap<>();

  private record Rendered(QueryService.Seen from, byte[] body) {}

  CommunityResource(QueryService queries) {
    this.queries = queries;
  }

  void routes(RoutesConfig routes, Deadline deadline) {
    routes.get("/api/v1/community/<model>", deadline.wrap(this::community));
    routes.get("/api/v1/models", deadline.wrap(ctx -> seen(ctx, "models", QueryService.Seen::models,
        id -> models.byId(id).map(ModelCatalog.Entry::name))));
    routes.get("/api/v1/gpus", deadline.wrap(ctx -> seen(ctx, "gpus", QueryService.Seen::gpus,
        id -> gpus.byId(id).map(GpuSpec::name))));
  }

  private void community(Context ctx) {
    Params.of(ctx.queryParamMap(), List.of());
    String model = Params.id("model", ctx.pathParam("model"));
    Freshness freshness = new Freshness();
    List<CommunityRow> rows = queries.community(model, freshness);
    if (rows.isEmpty()) {
      throw new NotFoundException("no reports for model '" + model + "'");
    }
    ObjectNode body = RowJson.JSON.createObjectNode().put("model", model);
    ArrayNode array = body.putArray("rows");
    rows.stream().sorted(Comparator.comparingDouble(CommunityRow::getMedianTokensPerSecond).reversed()).forEach(r -> array.add(RowJson.community(r, true)));
    Answers.json(ctx, body, freshness);
  }

  /** Most reported first; a rig measured on several rows or setups counts once. */
  private void seen(Context ctx, String name, java.util.function.Function<QueryService.Seen, Map<String, QueryService.Seen.Tally>> which,
                    java.util.function.Function<String, Optional<String>> displayName) {
    Params.of(ctx.queryParamMap(), List.of());
    Freshness freshness = new Freshness();
    QueryService.Seen seen = queries.seen(freshness);
    Rendered last = lastSeen.get(name);
    if (last == null || last.from() != seen) {
      ObjectNode body = RowJson.JSON.createObjectNode();
      ArrayNode array = body.putArray(name);
      which.apply(seen).entrySet().stream()
          .sorted(Comparator.<Map.Entry<String, QueryService.Seen.Tally>>comparingLong(e -> e.getValue().reports()).reversed().thenComparing(Map.Entry::getKey))
          .forEach(e -> array.addObject().put("id", e.getKey()).put("name", displayName.apply(e.getKey()).orElse(null))
              .put("rows", e.getValue().rows()).put("rigs", e.getValue().rigs()).put("reports", e.getValue().reports()));
      last = new Rendered(seen, Answers.bytes(body));
      lastSeen.put(name, last);
    }
    Answers.json(ctx, last.body(), freshness);
  }
}
