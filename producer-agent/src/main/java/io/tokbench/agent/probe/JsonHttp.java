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
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.Optional;

/**
 * JSON over HTTP for the runtime clients. Streaming responses are read as they arrive: the calling
 * thread blocks in the socket read while the runtime works, so the agent uses no CPU between
 * tokens (no polling, no selector thread). Every error answer becomes the exception its cause
 * calls for, so the CLI can say what to do about it.
 */
final class JsonHttp {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final int QUOTED_ERROR_CHARS = 300;

  private final String runtime;
  private final HttpClient http;
  private final String baseUrl;
  private final Duration connectTimeout;
  private final Duration requestTimeout;
  private final Optional<String> apiKey;

  /**
   * @param runtime the runtime's name, for messages
   * @param apiKey sent as {@code Authorization: Bearer <key>}, the scheme llama-server, vLLM and
   *     OpenAI's API share; never logged or shown
   */
  JsonHttp(String runtime, String baseUrl, Duration connectTimeout, Duration requestTimeout, Optional<String> apiKey) {
    this.runtime = runtime;
    this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    this.connectTimeout = connectTimeout;
    this.requestTimeout = requestTimeout;
    this.apiKey = apiKey.filter(k -> !k.isBlank());
    this.http = HttpClient.newBuilder().connectTimeout(connectTimeout).version(HttpClient.Version.HTTP_1_1).build();
  }

  String baseUrl() {
    return baseUrl;
  }

  /** A complete answer: status and body parsed as JSON (a missing node when empty or not JSON). */
  record Answer(int status, JsonNode body, String text) {
    boolean ok() {
      return status >= 200 && status < 300;
    }
  }

  Answer get(String path) {
    return send(request(path).GET().build());
  }

  Answer post(String path, JsonNode body) {
    return send(request(path).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.toString())).build());
  }

  /** A GET that must succeed; any error answer becomes its exception (model may be null). */
  JsonNode getOk(String path, String model) {
    Answer answer = get(path);
    if (!answer.ok()) {
      throw failure(answer.status(), "GET " + path, answer.text(), model);
    }
    return answer.body();
  }

  /** The OpenAI-style model list, {@code GET /v1/models} (llama-server, vLLM, LM Studio, SGLang). */
  JsonNode openAiModels() {
    return getOk("/v1/models", null).path("data");
  }

  static String query(String name, String value) {
    return "?" + name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  /** A streaming answer, successful (2xx) by construction. Close it when done. */
  static final class Streamed implements AutoCloseable {
    private final InputStream body;
    private final HttpURLConnection connection;

    private Streamed(InputStream body, HttpURLConnection connection) {
      this.body = body;
      this.connection = connection;
    }

    /** The raw body, for a streaming JSON parser. */
    InputStream body() {
      return body;
    }

    /** The body as server-sent events. */
    Iterator<SseEvents.Event> events() {
      return SseEvents.read(new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8)));
    }

    @Override
    public void close() {
      try {
        body.close();
      } catch (IOException ignored) {
        // the response is finished with either way
      }
      connection.disconnect();
    }
  }

  /**
   * Opens a streaming POST on a plain blocking connection: the calling thread sleeps in the socket
   * read until the runtime sends more, with no selector thread waking per chunk. An error status
   * becomes its exception before any of the body is handed out.
   */
  Streamed stream(String path, JsonNode body, String model) {
    HttpURLConnection connection = null;
    try {
      connection = (HttpURLConnection) uri(path).toURL().openConnection();
      connection.setConnectTimeout((int) connectTimeout.toMillis());
      connection.setReadTimeout((int) requestTimeout.toMillis());
      connection.setRequestMethod("POST");
      connection.setDoOutput(true);
      connection.setRequestProperty("Content-Type", "application/json");
      connection.setRequestProperty("Accept", "application/x-ndjson, text/event-stream, application/json");
      if (apiKey.isPresent()) {
        connection.setRequestProperty("Authorization", "Bearer " + apiKey.get());
      }
      try (OutputStream out = connection.getOutputStream()) {
        out.write(body.toString().getBytes(StandardCharsets.UTF_8));
      }
      int status = connection.getResponseCode();
      if (status < 200 || status >= 300) {
        InputStream error = connection.getErrorStream();
        String text = error == null ? "" : new String(error.readAllBytes(), StandardCharsets.UTF_8);
        connection.disconnect();
        throw failure(status, "POST " + path, text, model);
      }
      return new Streamed(connection.getInputStream(), connection);
    } catch (IOException e) {
      if (connection != null) {
        connection.disconnect();
      }
      throw unavailable(e);
    }
  }

  /**
   * What an error answer means. Bodies are {@code {"error": "text"}} (Ollama, docs/api/errors.mdx)
   * or {@code {"error": {"message", "type", "code"}}} (OpenAI's API, llama-server, vLLM).
   */
  RuntimeException failure(int status, String request, String text, String model) {
    JsonNode error = parse(text).path("error");
    String message = error.isTextual() ? error.asText() : error.path("message").asText("");
    if (message.isBlank()) {
      message = abbreviate(text.strip());
    }
    String type = error.path("type").asText("");
    String where = runtime + " at " + baseUrl;
    if (status == 401 || status == 403) {
      return new RuntimeAuthenticationException(where + " refused " + request + " (HTTP " + status + ": " + message + "): "
          + (apiKey.isPresent() ? "the API key given was not accepted" : "it needs an API key")
          + "; pass it with --api-key or the environment variable TOKBENCH_RUNTIME_API_KEY");
    }
    if (type.equals("exceed_context_size_error")) {
      return new ContextTooSmallException(where + ": the prompt (" + error.path("n_prompt_tokens").asText("?") + " tokens) does not fit the "
          + error.path("n_ctx").asText("?") + " tokens of context a request can use");
    }
    if (model != null && (status == 404 || (status == 400 && message.matches("(?is).*model.*not found.*")))) {
      return new ModelNotFoundException(model, where + " does not have " + model + ": " + message);
    }
    return new RuntimeErrorException(where + " answered HTTP " + status + " to " + request + ": " + message);
  }

  /** An error the runtime sent inside a successful stream (e.g. Ollama's last line, llama-server's event). */
  RuntimeErrorException streamError(String model, JsonNode error) {
    String message = error.isTextual() ? error.asText() : error.path("message").asText(error.toString());
    return new RuntimeErrorException(runtime + " at " + baseUrl + " failed while generating with " + model + ": " + message);
  }

  /** A stream that stopped before its documented last message. */
  RuntimeErrorException cutShort(String model, String expected) {
    return new RuntimeErrorException(runtime + " at " + baseUrl + " ended the stream for " + model + " before " + expected);
  }

  private HttpRequest.Builder request(String path) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(uri(path)).timeout(requestTimeout);
    apiKey.ifPresent(key -> builder.header("Authorization", "Bearer " + key));
    return builder;
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

  /** Parses a JSON document; anything else (empty, HTML, truncated) is a missing node. */
  static JsonNode parse(String text) {
    if (text == null || text.isBlank()) {
      return JSON.missingNode();
    }
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      return JSON.missingNode();
    }
  }

  /** Parses JSON the runtime sent where JSON is documented: anything else is its error. */
  JsonNode parseRequired(String text, String what) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new RuntimeErrorException(runtime + " at " + baseUrl + " sent " + what + " that is not JSON: " + abbreviate(text));
    }
  }

  static String abbreviate(String text) {
    return text.length() <= QUOTED_ERROR_CHARS ? text : text.substring(0, QUOTED_ERROR_CHARS) + "…";
  }

  /** A failure while reading a stream that had started: the runtime was reached. */
  RuntimeErrorException readFailure(String model, IOException e) {
    String why = e instanceof SocketTimeoutException ? "no data within the request timeout" : e.getMessage() == null ? "the connection broke" : e.getMessage();
    return new RuntimeErrorException(runtime + " at " + baseUrl + " stopped answering while generating with " + model + " (" + why + ")", e);
  }

  private RuntimeUnavailableException unavailable(IOException e) {
    String why = e instanceof ConnectException || e instanceof HttpConnectTimeoutException ? "nothing is listening"
        : e instanceof SocketTimeoutException ? "no answer within the request timeout"
        : e.getMessage() == null ? "the connection failed" : e.getMessage();
    return new RuntimeUnavailableException("cannot reach " + baseUrl + " (" + why + ")", e);
  }

  private URI uri(String path) {
    return URI.create(baseUrl + path);
  }
}
