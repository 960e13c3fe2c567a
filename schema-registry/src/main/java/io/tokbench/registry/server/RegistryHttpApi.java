package io.tokbench.registry.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.tokbench.registry.CompatibilityLevel;
import io.tokbench.registry.RegistryError;
import io.tokbench.registry.RegistryMediaTypes;
import io.tokbench.registry.server.RegistryState.Version;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Confluent Schema Registry REST API subset that serdes and operators use. Unknown query
 * parameters that other-language clients add (normalize, format, fetchMaxId, subject, ...) are
 * tolerated; the status codes and {@code error_code}/{@code message} bodies are Confluent's.
 */
final class RegistryHttpApi implements HttpHandler {
  private static final Logger log = LoggerFactory.getLogger(RegistryHttpApi.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_BODY_BYTES = 8 * 1024 * 1024;

  private static final Pattern SUBJECT_VERSIONS = Pattern.compile("^/subjects/([^/]+)/versions/?$");
  private static final Pattern SUBJECT_VERSION = Pattern.compile("^/subjects/([^/]+)/versions/([^/]+)/?$");
  private static final Pattern SUBJECT_VERSION_SCHEMA = Pattern.compile("^/subjects/([^/]+)/versions/([^/]+)/schema/?$");
  private static final Pattern SUBJECT = Pattern.compile("^/subjects/([^/]+)/?$");
  private static final Pattern SCHEMA_BY_ID = Pattern.compile("^/schemas/ids/([^/]+)/?$");
  private static final Pattern SUBJECT_CONFIG = Pattern.compile("^/config/([^/]+)/?$");
  private static final Pattern COMPATIBILITY = Pattern.compile("^/compatibility/subjects/([^/]+)/versions/([^/]+)/?$");

  private final RegistryService service;

  RegistryHttpApi(RegistryService service) {
    this.service = service;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      Response response;
      try {
        response = route(exchange);
      } catch (RegistryProblem problem) {
        response = Response.error(problem.httpStatus(), problem.errorCode(), problem.getMessage());
      } catch (BadRequest e) {
        response = Response.error(e.status, e.status == 422 ? RegistryError.INVALID_SCHEMA : e.status, e.getMessage());
      } catch (RuntimeException e) {
        log.error("Unexpected error on {} {}", exchange.getRequestMethod(), exchange.getRequestURI(), e);
        response = Response.error(500, 500, "Internal Server Error: " + e.getMessage());
      }
      send(exchange, response);
    }
  }

  private Response route(HttpExchange exchange) throws IOException {
    String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
    String path = exchange.getRequestURI().getRawPath();
    Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
    boolean deleted = Boolean.parseBoolean(query.getOrDefault("deleted", "false"));
    Matcher m;

    if (path.equals("/") || path.isEmpty()) {
      return Response.json(JSON.createObjectNode());
    }
    if (path.equals("/subjects") || path.equals("/subjects/")) {
      requireMethod(method, "GET");
      String prefix = query.getOrDefault("subjectPrefix", "");
      return Response.json(array(service.subjects(deleted).stream().filter(s -> s.startsWith(prefix)).toList()));
    }
    if (path.equals("/schemas/types")) {
      return Response.json(array(List.of("AVRO")));
    }
    if ((m = SCHEMA_BY_ID.matcher(path)).matches()) {
      requireMethod(method, "GET");
      int id = parseId(m.group(1));
      ObjectNode body = JSON.createObjectNode().put("schema", service.schemaById(id));
      if (Boolean.parseBoolean(query.getOrDefault("fetchMaxId", "false"))) {
        body.put("maxId", id);
      }
      return Response.json(body);
    }
    if ((m = SUBJECT_VERSIONS.matcher(path)).matches()) {
      String subject = decode(m.group(1));
      if (method.equals("POST")) {
        JsonNode request = schemaRequest(exchange);
        return Response.json(JSON.createObjectNode().put("id", service.register(subject, request.get("schema").asText())));
      }
      requireMethod(method, "GET");
      return Response.json(array(service.versions(subject, deleted)));
    }
    if ((m = SUBJECT_VERSION_SCHEMA.matcher(path)).matches()) {
      requireMethod(method, "GET");
      return Response.raw(service.version(decode(m.group(1)), decode(m.group(2)), deleted).schema());
    }
    if ((m = SUBJECT_VERSION.matcher(path)).matches()) {
      requireMethod(method, "GET");
      return Response.json(versionBody(service.version(decode(m.group(1)), decode(m.group(2)), deleted)));
    }
    if ((m = SUBJECT.matcher(path)).matches()) {
      String subject = decode(m.group(1));
      if (method.equals("DELETE")) {
        return Response.json(array(service.deleteSubject(subject, Boolean.parseBoolean(query.getOrDefault("permanent", "false")))));
      }
      requireMethod(method, "POST");
      JsonNode request = schemaRequest(exchange);
      return Response.json(versionBody(service.lookup(subject, request.get("schema").asText(), deleted)));
    }
    if (path.equals("/config") || path.equals("/config/")) {
      if (method.equals("PUT")) {
        CompatibilityLevel level = levelFrom(exchange);
        service.setLevel(null, level);
        return Response.json(JSON.createObjectNode().put("compatibility", level.name()));
      }
      if (method.equals("DELETE")) {
        CompatibilityLevel old = service.globalLevel();
        service.setLevel(null, null);
        return Response.json(JSON.createObjectNode().put("compatibilityLevel", old.name()));
      }
      requireMethod(method, "GET");
      return Response.json(JSON.createObjectNode().put("compatibilityLevel", service.globalLevel().name()));
    }
    if ((m = SUBJECT_CONFIG.matcher(path)).matches()) {
      String subject = decode(m.group(1));
      if (method.equals("PUT")) {
        CompatibilityLevel level = levelFrom(exchange);
        service.setLevel(subject, level);
        return Response.json(JSON.createObjectNode().put("compatibility", level.name()));
      }
      if (method.equals("DELETE")) {
        CompatibilityLevel old = service.subjectLevel(subject, false);
        service.setLevel(subject, null);
        return Response.json(JSON.createObjectNode().put("compatibilityLevel", old.name()));
      }
      requireMethod(method, "GET");
      boolean defaultToGlobal = Boolean.parseBoolean(query.getOrDefault("defaultToGlobal", "false"));
      return Response.json(JSON.createObjectNode().put("compatibilityLevel", service.subjectLevel(subject, defaultToGlobal).name()));
    }
    if ((m = COMPATIBILITY.matcher(path)).matches()) {
      requireMethod(method, "POST");
      JsonNode request = schemaRequest(exchange);
      List<String> problems = service.compatibilityProblems(decode(m.group(1)), decode(m.group(2)), request.get("schema").asText());
      ObjectNode body = JSON.createObjectNode().put("is_compatible", problems.isEmpty());
      if (Boolean.parseBoolean(query.getOrDefault("verbose", "false"))) {
        body.set("messages", array(problems));
      }
      return Response.json(body);
    }
    return Response.error(404, 404, "HTTP 404 Not Found");
  }

  private static ObjectNode versionBody(Version v) {
    return JSON.createObjectNode().put("subject", v.subject()).put("version", v.version()).put("id", v.id()).put("schema", v.schema());
  }

  /** Reads a register/lookup/compatibility body: {"schema": "...", "schemaType"?: "AVRO", ...}. */
  private static JsonNode schemaRequest(HttpExchange exchange) throws IOException {
    JsonNode body = body(exchange);
    if (!body.hasNonNull("schema")) {
      throw new RegistryProblem(RegistryError.INVALID_SCHEMA, "Invalid schema: the request body has no \"schema\" field");
    }
    String type = body.path("schemaType").asText("AVRO");
    if (!type.isEmpty() && !type.equalsIgnoreCase("AVRO")) {
      throw new RegistryProblem(RegistryError.INVALID_SCHEMA, "Invalid schema type " + type + ": this registry stores AVRO schemas only");
    }
    if (body.path("references").size() > 0) {
      throw new RegistryProblem(RegistryError.INVALID_SCHEMA, "Invalid schema: schema references are not supported by this registry");
    }
    return body;
  }

  private static CompatibilityLevel levelFrom(HttpExchange exchange) throws IOException {
    JsonNode body = body(exchange);
    try {
      return CompatibilityLevel.parse(body.path("compatibility").asText(null));
    } catch (IllegalArgumentException e) {
      throw new RegistryProblem(
          RegistryError.INVALID_COMPATIBILITY_LEVEL,
          "Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive");
    }
  }

  private static JsonNode body(HttpExchange exchange) throws IOException {
    String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
    if (contentType != null && !acceptsAsJson(contentType)) {
      throw new BadRequest(415, "HTTP 415 Unsupported Media Type: " + contentType);
    }
    byte[] bytes;
    try (InputStream in = exchange.getRequestBody()) {
      bytes = in.readNBytes(MAX_BODY_BYTES + 1);
    }
    if (bytes.length > MAX_BODY_BYTES) {
      throw new BadRequest(413, "Request body larger than " + MAX_BODY_BYTES + " bytes");
    }
    try {
      JsonNode node = JSON.readTree(bytes);
      if (node == null || !node.isObject()) {
        throw new BadRequest(422, "Unrecognized request body: expected a JSON object");
      }
      return node;
    } catch (IOException e) {
      throw new BadRequest(422, "Unrecognized request body: " + e.getMessage());
    }
  }

  private static boolean acceptsAsJson(String contentType) {
    String type = contentType.split(";")[0].trim().toLowerCase(Locale.ROOT);
    return type.equals(RegistryMediaTypes.V1_JSON)
        || type.equals(RegistryMediaTypes.GENERIC_JSON)
        || type.equals(RegistryMediaTypes.JSON)
        || type.equals("application/octet-stream");
  }

  /** Confluent's weights: v1+json first, then vnd.schemaregistry+json, then application/json. */
  private static String responseType(HttpExchange exchange) {
    String accept = exchange.getRequestHeaders().getFirst("Accept");
    if (accept == null) {
      return RegistryMediaTypes.V1_JSON;
    }
    String lower = accept.toLowerCase(Locale.ROOT);
    if (lower.contains(RegistryMediaTypes.V1_JSON) || lower.contains("*/*") || lower.contains("application/*")) {
      return RegistryMediaTypes.V1_JSON;
    }
    if (lower.contains(RegistryMediaTypes.GENERIC_JSON)) {
      return RegistryMediaTypes.GENERIC_JSON;
    }
    if (lower.contains(RegistryMediaTypes.JSON)) {
      return RegistryMediaTypes.JSON;
    }
    return RegistryMediaTypes.V1_JSON;
  }

  private static void send(HttpExchange exchange, Response response) throws IOException {
    byte[] bytes = response.body().getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", response.raw() ? "text/plain; charset=utf-8" : responseType(exchange));
    exchange.sendResponseHeaders(response.status(), bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  private static void requireMethod(String method, String expected) {
    if (!method.equals(expected)) {
      throw new BadRequest(405, "HTTP 405 Method Not Allowed");
    }
  }

  private static int parseId(String text) {
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw new RegistryProblem(RegistryError.SCHEMA_NOT_FOUND, "Schema " + text + " not found");
    }
  }

  private static ArrayNode array(List<?> values) {
    ArrayNode array = JSON.createArrayNode();
    values.forEach(v -> array.add(JSON.valueToTree(v)));
    return array;
  }

  private static String decode(String segment) {
    return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  private static Map<String, String> query(String rawQuery) {
    Map<String, String> params = new HashMap<>();
    if (rawQuery == null) {
      return params;
    }
    for (String pair : rawQuery.split("&")) {
      int eq = pair.indexOf('=');
      String key = decode(eq < 0 ? pair : pair.substring(0, eq));
      params.put(key, eq < 0 ? "true" : decode(pair.substring(eq + 1)));
    }
    return params;
  }

  /** A malformed request (not a registry verdict): status plus message. */
  private static final class BadRequest extends RuntimeException {
    final int status;

    BadRequest(int status, String message) {
      super(message);
      this.status = status;
    }
  }

  private record Response(int status, String body, boolean raw) {
    static Response json(JsonNode node) {
      return new Response(200, node.toString(), false);
    }

    static Response raw(String text) {
      return new Response(200, text, true);
    }

    static Response error(int status, int errorCode, String message) {
      return new Response(status, JSON.createObjectNode().put("error_code", errorCode).put("message", message).toString(), false);
    }
  }
}
