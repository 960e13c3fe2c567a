package io.tokbench.aggregator.query;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.io.UncheckedIOException;

/** Writing answers: JSON bodies, errors as {@code {"error": …}}, and the freshness headers. */
final class Answers {
  static final String JSON_TYPE = "application/json";

  private Answers() {}

  static void json(Context ctx, JsonNode body) {
    json(ctx, 200, body);
  }

  static void json(Context ctx, int status, JsonNode body) {
    json(ctx, status, bytes(body));
  }

  private static void json(Context ctx, int status, byte[] body) {
    ctx.status(status).contentType(JSON_TYPE).result(body);
  }

  /** A body as sent. */
  static byte[] bytes(JsonNode body) {
    try {
      return RowJson.JSON.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A read answer, with how current it is. */
  static void json(Context ctx, JsonNode body, Freshness freshness) {
    json(ctx, bytes(body), freshness);
  }

  /** A read answer already rendered, with how current it is. */
  static void json(Context ctx, byte[] body, Freshness freshness) {
    ctx.header(Freshness.STALE_HEADER, String.valueOf(freshness.isStale()));
    if (freshness.isStale()) {
      ctx.header(Freshness.LAG_HEADER, String.valueOf(freshness.lagRecords()));
    }
    json(ctx, 200, body);
  }

  static ObjectNode error(String message) {
    return RowJson.JSON.createObjectNode().put("error", message);
  }

  static void error(Context ctx, int status, String message) {
    json(ctx, status, error(message));
  }
}
