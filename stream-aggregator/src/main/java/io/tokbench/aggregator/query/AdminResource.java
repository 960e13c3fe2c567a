package io.tokbench.aggregator.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.UUID;

/**
 * The operator's operations, on the internal listener only (the public Ingress cannot reach it),
 * and even there only with the operator token: {@code POST /admin/v1/retractions} and
 * {@code POST /admin/v1/recalibrate}.
 */
final class AdminResource {
  static final String PREFIX = "/admin/v1/";

  private final ApiProtection protection;
  private final AdminOperations admin;

  AdminResource(ApiProtection protection, AdminOperations admin) {
    this.protection = protection;
    this.admin = admin;
  }

  void routes(RoutesConfig routes) {
    routes.before(PREFIX + "*", this::authorize);
    routes.post(PREFIX + "retractions", this::retract);
    routes.post(PREFIX + "recalibrate", ctx -> Answers.json(ctx, 202, RowJson.JSON.createObjectNode().put("status", "accepted").put("partitions", admin.recalibrate())));
  }

  private void authorize(Context ctx) {
    String authorization = ctx.header("Authorization");
    if (authorization == null || !authorization.startsWith("Bearer ")) {
      ctx.header("WWW-Authenticate", "Bearer realm=\"tokbench-admin\"");
      deny(ctx, 401, "the admin API needs the operator token: Authorization: Bearer <token>");
    } else if (protection.adminToken() == null) {
      deny(ctx, 403, "the admin API is off on this instance (no operator token configured: TOKBENCH_ADMIN_TOKEN)");
    } else if (!MessageDigest.isEqual(authorization.substring("Bearer ".length()).trim().getBytes(StandardCharsets.UTF_8),
        protection.adminToken().getBytes(StandardCharsets.UTF_8))) {
      deny(ctx, 403, "wrong operator token");
    }
  }

  private static void deny(Context ctx, int status, String message) {
    Answers.error(ctx, status, message);
    ctx.skipRemainingHandlers();
  }

  private void retract(Context ctx) {
    Params.of(ctx.queryParamMap(), java.util.List.of());
    byte[] body = ctx.bodyAsBytes();
    JsonNode request;
    try {
      request = RowJson.JSON.readTree(body.length == 0 ? "{}".getBytes(StandardCharsets.UTF_8) : body);
    } catch (IOException e) {
      throw new StatsFilter.BadParameter("body", "not JSON");
    }
    if (!request.isObject()) {
      throw new StatsFilter.BadParameter("body", "not a JSON object");
    }
    var retraction = AdminOperations.retraction(uuid(request, "rigId"), uuid(request, "reportId"),
        request.hasNonNull("reason") ? request.get("reason").asText() : "", lifted(request), Instant.now());
    AdminOperations.Published published = admin.retract(retraction);
    ObjectNode answer = RowJson.JSON.createObjectNode().put("status", "accepted")
        .put("rigId", retraction.getRigId() == null ? null : retraction.getRigId().toString())
        .put("reportId", retraction.getReportId() == null ? null : retraction.getReportId().toString())
        .put("lifted", retraction.getLifted())
        .put("topic", published.topic()).put("partition", published.partition()).put("offset", published.offset());
    Answers.json(ctx, 202, answer);
  }

  private static boolean lifted(JsonNode request) {
    JsonNode lifted = request.get("lifted");
    if (lifted == null || lifted.isNull()) {
      return false;
    }
    if (!lifted.isBoolean()) {
      throw new StatsFilter.BadParameter("lifted", "true or false");
    }
    return lifted.booleanValue();
  }

  private static UUID uuid(JsonNode request, String field) {
    if (!request.hasNonNull(field)) {
      return null;
    }
    try {
      return UUID.fromString(request.get(field).asText());
    } catch (IllegalArgumentException e) {
      throw new StatsFilter.BadParameter(field, "not a UUID");
    }
  }
}
