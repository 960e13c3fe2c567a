package io.tokbench.agent.probe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.stream.Stream;

/**
 * JSON over HTTP for the runtime clients. Streaming responses are read line by line as they arrive:
 * the calling thread blocks in the socket read while the runtime works, so the agent uses no CPU
 * between tokens (no polling, no selector thread).
 */
final class JsonHttp {
  static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http;
  private final String baseUrl;
  private final Duration connectTimeout;
  private final Duration requestTimeout;

  JsonHttp(String baseUrl, Duration connectTimeout, Duration requestTimeout) {
    this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    this.connectTimeout = connectTimeout;
    this.requestTimeout = requestTimeout;
    this.http = HttpClient.newBuilder().connectTimeout(connectTimeout).version(HttpClient.Version.HTTP_1_1).build();
  }

  String baseUrl() {
    return baseUrl;
  }

  /** Model ids from an OpenAI-style {@code GET /v1/models} (llama.cpp's server has it too). */
  java.util.List<String> openAiModelIds() {
    java.util.List<String> ids = new java.util.ArrayList<>();
    get("/v1/models").body().path("data").forEach(m -> ids.add(m.path("id").asText()));
    return ids;
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

  /** A streaming answer: the status and the body's lines as they arrive. Close it when done. */
  record Streamed(int statusCode, Stream<String> lines) implements AutoCloseable {
    @Override
    public void close() {
      lines.close();
    }
  }

  /**
   * Opens a streaming POST on a plain blocking connection: the calling thread sleeps in the socket
   * read until the runtime sends the next line, with no selector thread waking per chunk.
   */
  Streamed stream(String path, JsonNode body) {
    try {
      HttpURLConnection connection = (HttpURLConnection) uri(path).toURL().openConnection();
      connection.setConnectTimeout((int) connectTimeout.toMillis());
      connection.setReadTimeout((int) requestTimeout.toMillis());
      connection.setRequestMethod("POST");
      connection.setDoOutput(true);
      connection.setRequestProperty("Content-Type", "application/json");
      connection.setRequestProperty("Accept", "application/x-ndjson, text/event-stream, application/json");
      try (OutputStream out = connection.getOutputStream()) {
        out.write(body.toString().getBytes(StandardCharsets.UTF_8));
      }
      int status = connection.getResponseCode();
      InputStream in = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
      if (in == null) {
        in = InputStream.nullInputStream();
      }
      BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      return new Streamed(status, reader.lines().onClose(() -> {
        try {
          reader.close();
        } catch (IOException ignored) {
          // the response is finished with either way
        }
        connection.disconnect();
      }));
    } catch (IOException e) {
      throw unavailable(e);
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
    String why = e instanceof ConnectException || e instanceof HttpConnectTimeoutException ? "nothing is listening"
        : e instanceof SocketTimeoutException ? "no answer within the request timeout" : e.toString();
    return new RuntimeUnavailableException("cannot reach " + baseUrl + " (" + why + ")", e);
  }

  private URI uri(String path) {
    return URI.create(baseUrl + path);
  }
}
