package io.tokbench.agent.probe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.stream.Stream;

/**
 * JSON over HTTP for the runtime clients. Streaming responses are read line by line as they arrive:
 * the calling thread blocks in the socket read while the runtime works, so the agent uses no CPU
 * between tokens (no polling).
 */
final class JsonHttp {
  static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http;
  private final String baseUrl;
  private final Duration requestTimeout;

  JsonHttp(String baseUrl, Duration connectTimeout, Duration requestTimeout) {
    this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    this.requestTimeout = requestTimeout;
    this.http = HttpClient.newBuilder().connectTimeout(connectTimeout).version(HttpClient.Version.HTTP_1_1).build();
  }

  String baseUrl() {
    return baseUrl;
  }

  /** A complete answer: status and body parsed as JSON (null node when empty or not JSON). */
  record Answer(int status, JsonNode body, String text) {}

  Answer get(String path) {
    return send(HttpRequest.newBuilder(uri(path)).timeout(requestTimeout).GET().build());
  }

  Answer post(String path, JsonNode body) {
    return send(HttpRequest.newBuilder(uri(path)).timeout(requestTimeout).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build());
  }

  /** Opens a streaming POST; the caller reads {@code body()} line by line and closes it. */
  HttpResponse<Stream<String>> stream(String path, JsonNode body) {
    HttpRequest request = HttpRequest.newBuilder(uri(path)).timeout(requestTimeout)
        .header("Content-Type", "application/json")
        .header("Accept", "application/x-ndjson, text/event-stream, application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofLines());
    } catch (IOException e) {
      throw unavailable(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RuntimeUnavailableException("interrupted while calling " + baseUrl, e);
    }
  }

  private Answer send(HttpRequest request) {
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      return new Answer(response.statusCode(), parse(response.body()), response.body());
    } catch (IOException e) {
      throw unavailable(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RuntimeUnavailableException("interrupted while calling " + baseUrl, e);
    }
  }

  static JsonNode parse(String text) {
    if (text == null || text.isBlank()) {
      return JSON.nullNode();
    }
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      return JSON.nullNode();
    }
  }

  private RuntimeUnavailableException unavailable(IOException e) {
    String why = e instanceof ConnectException || e instanceof HttpConnectTimeoutException ? "nothing is listening" : e.toString();
    return new RuntimeUnavailableException("cannot reach " + baseUrl + " (" + why + ")", e);
  }

  private URI uri(String path) {
    return URI.create(baseUrl + path);
  }
}
