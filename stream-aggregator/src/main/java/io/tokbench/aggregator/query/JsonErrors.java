package io.tokbench.aggregator.query;

import io.javalin.config.RoutesConfig;
import io.javalin.http.HttpResponseException;
import io.tokbench.aggregator.query.StatsFilter.BadParameter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.RejectedExecutionException;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every failure answers {@code {"error": …}} in JSON: bad parameters 400 naming the parameter,
 * unknown things 404, moving tables and a full server 503 with Retry-After, and anything else 500
 * with an incident id whose details go to the log only. Requests Jetty refuses before they reach a
 * route (a malformed path, oversized headers) get the same JSON instead of Jetty's HTML page. No
 * answer carries exception text or a stack trace.
 */
final class JsonErrors {
  private static final Logger log = LoggerFactory.getLogger(JsonErrors.class);

  private JsonErrors() {}

  static void install(RoutesConfig routes) {
    routes.exception(BadParameter.class, (e, ctx) -> Answers.json(ctx, 400, Answers.error(e.getMessage()).put("parameter", e.parameter())));
    routes.exception(NotFoundException.class, (e, ctx) -> Answers.error(ctx, 404, e.getMessage()));
    routes.exception(NotReadyException.class, (e, ctx) -> {
      ctx.header("Retry-After", "1");
      Answers.error(ctx, 503, "not ready: " + e.getMessage());
    });
    routes.exception(RejectedExecutionException.class, (e, ctx) -> {
      ctx.header("Retry-After", "1");
      Answers.error(ctx, 503, "the server is busy; retry in a second");
    });
    routes.exception(HttpResponseException.class, (e, ctx) -> Answers.error(ctx, e.getStatus(), describe(e.getStatus())));
    routes.exception(HttpException.RuntimeException.class, (e, ctx) -> Answers.error(ctx, e.getCode(), describe(e.getCode())));
    routes.exception(Exception.class, (e, ctx) -> {
      if (e.getCause() instanceof HttpException http) { // a malformed query string, found while parsing it
        Answers.error(ctx, http.getCode(), describe(http.getCode()));
        return;
      }
      String incident = UUID.randomUUID().toString();
      log.error("Internal error {} answering {} {}", incident, ctx.method(), ctx.path(), e);
      Answers.error(ctx, 500, "internal error; the server log has the details under incident " + incident);
    });
  }

  /** What a status means for this API, in words: the same for every cause, so no cause leaks. */
  static String describe(int status) {
    return switch (status) {
      case 400 -> "malformed request: the path or query is not valid (check its percent-encoding and characters)";
      case 404 -> "no such endpoint (see /api/v1/openapi.json)";
      case 405 -> "method not allowed: the public API is read-only (GET)";
      case 408 -> "the request took too long to arrive";
      case 413 -> "request body larger than " + ApiProtection.MAX_BODY_BYTES + " bytes";
      case 414 -> "request line too long";
      case 431 -> "request headers too large";
      case 503 -> "the server is busy; retry in a second";
      default -> HttpStatus.getMessage(status);
    };
  }

  /** Jetty's own error answers (requests that never reached a route), as JSON. */
  static final class JettyHandler extends ErrorHandler {
    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause, Callback callback) throws IOException {
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, Answers.JSON_TYPE);
      response.write(true, body(code), callback);
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
      fields.put(HttpHeader.CONTENT_TYPE, Answers.JSON_TYPE);
      return body(status);
    }

    private static ByteBuffer body(int status) {
      return ByteBuffer.wrap(Answers.error(describe(status)).toString().getBytes(StandardCharsets.UTF_8));
    }
  }
}
