package io.tokbench.aggregator.query;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Instance-to-instance queries, on the internal listener: named partitions of this instance's
 * stores, raw (unrounded, unpaged), from the active task or, while partitions move, a standby
 * copy (then marked stale). 503 when this instance cannot serve one of them: the asking instance
 * tries another copy.
 */
final class PeerResource {
  private static final List<String> STATS = with(StatsFilter.PARAMETERS);
  private final QueryService queries;

  PeerResource(QueryService queries) {
    this.queries = queries;
  }

  void routes(RoutesConfig routes) {
    routes.exception(PartitionUnavailable.class, (e, ctx) -> Answers.error(ctx, 503, e.getMessage()));
    routes.get(QueryService.PEER_PREFIX + "/stats", ctx -> {
      Params params = Params.of(ctx.queryParamMap(), STATS);
      Freshness freshness = new Freshness();
      ObjectNode body = RowJson.JSON.createObjectNode();
      ArrayNode rows = body.putArray("rows");
      queries.localStats(StatsFilter.from(without(params)), partitions(params), freshness).forEach(r -> rows.add(RowJson.stats(r, false)));
      Answers.json(ctx, body, freshness);
    });
    routes.get(QueryService.PEER_PREFIX + "/community", ctx -> {
      Params params = Params.of(ctx.queryParamMap(), List.of("partitions", "model"));
      Freshness freshness = new Freshness();
      ObjectNode body = RowJson.JSON.createObjectNode();
      ArrayNode rows = body.putArray("rows");
      queries.localCommunity(params.required("model"), partitions(params), freshness).forEach(r -> rows.add(RowJson.community(r, false)));
      Answers.json(ctx, body, freshness);
    });
    routes.get(QueryService.PEER_PREFIX + "/distribution", ctx -> {
      Params params = Params.of(ctx.queryParamMap(), STATS);
      Freshness freshness = new Freshness();
      ObjectNode body = RowJson.JSON.createObjectNode();
      ArrayNode values = body.putArray("rigMedians");
      queries.localRigMedians(StatsFilter.exactKey(without(params)), partitions(params), freshness).forEach(values::add);
      Answers.json(ctx, body, freshness);
    });
    routes.get(QueryService.PEER_PREFIX + "/seen", ctx -> {
      Params params = Params.of(ctx.queryParamMap(), List.of("partitions"));
      Freshness freshness = new Freshness();
      QueryService.Seen seen = queries.localSeen(partitions(params), freshness);
      ObjectNode body = RowJson.JSON.createObjectNode();
      tallies(body.putObject("models"), seen.models());
      tallies(body.putObject("gpus"), seen.gpus());
      Answers.json(ctx, body, freshness);
    });
  }

  private static void tallies(ObjectNode node, Map<String, QueryService.Seen.Tally> tallies) {
    tallies.forEach((id, t) -> node.putObject(id).put("rows", t.rows()).put("reports", t.reports()).put("rigs", t.rigs()));
  }

  private static Set<Integer> partitions(Params params) {
    Set<Integer> partitions = new TreeSet<>();
    for (String p : params.required("partitions").split(",")) {
      partitions.add(Params.of(Map.of("partitions", p)).integer("partitions", 0, 100_000));
    }
    return partitions;
  }

  private static Map<String, String> without(Params params) {
    Map<String, String> filter = new java.util.LinkedHashMap<>(params.map());
    filter.remove("partitions");
    return filter;
  }

  private static List<String> with(List<String> base) {
    List<String> all = new ArrayList<>(base);
    all.add("partitions");
    return List.copyOf(all);
  }
}
