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
    try {
      ctx.status(status).contentType(JSON_TYPE).result(RowJson.JSON.writeValueAsBytes(body));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A read answer, with how current it is. */
  static void json(Context ctx, JsonNode body, Freshness freshness) {
    ctx.header(Freshness.STALE_HEADER, String.valueOf(freshness.isStale()));
    if (freshness.isStale()) {
      ctx.header(Freshness.LAG_HEADER, String.valueOf(freshness.lagRecords()));
    }
    json(ctx, body);
  }

  static ObjectNode error(String message) {
    return RowJson.JSON.createObjectNode().put("error", message);
  }

  static void error(Context ctx, int status, String message) {
    json(ctx, status, error(message));
  }
}
