package io.tokbench.agent.fakes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A local HTTP server for runtime fakes: routes by method and path, records every request body,
 * and can stream a response line by line with pauses, as a runtime streams tokens.
 */
public class FakeHttpServer implements AutoCloseable {
  protected static final ObjectMapper JSON = new ObjectMapper();

  /** Handles one request; writes the response through {@link Exchange}. */
  public interface Route {
    void handle(JsonNode body, Exchange exchange) throws IOException, InterruptedException;
  }

  private final HttpServer server;
  private final Map<String, Route> routes = new ConcurrentHashMap<>();
  private final List<Recorded> requests = new CopyOnWriteArrayList<>();

  /** A request as received; headers by their first value, names as the client spelled them. */
  public record Recorded(String method, String path, Map<String, String> headers, JsonNode body) {}

  public FakeHttpServer() {
    server = loopbackServer("fake-runtime", this::dispatch);
  }

  /** A started HTTP server on a free loopback port, one daemon thread per exchange. */
  public static HttpServer loopbackServer(String threadName, HttpHandler handler) {
    HttpServer http;
    try {
      http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    http.setExecutor(Executors.newCachedThreadPool(runnable -> {
      Thread thread = new Thread(runnable, threadName);
      thread.setDaemon(true);
      return thread;
    }));
    http.createContext("/", handler);
    http.start();
    return http;
  }

  /** Answers with these lines of server-sent events, each sent at once as a runtime streams. */
  public void streamLines(String method, String path, List<String> lines) {
    route(method, path, (body, ex) -> {
      ex.startStream(200, "text/event-stream");
      for (String line : lines) {
        ex.line(line);
      }
      ex.endStream();
    });
  }

  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  public void route(String method, String path, Route route) {
    routes.put(method + " " + path, route);
  }

  public List<Recorded> requests(String path) {
    return requests.stream().filter(r -> r.path().equals(path)).toList();
  }

  /** The headers of each request to the path, in order. */
  public List<Map<String, String>> headers(String path) {
    return requests(path).stream().map(Recorded::headers).toList();
  }

  private void dispatch(HttpExchange http) throws IOException {
    try (http) {
      byte[] bytes;
      try (InputStream in = http.getRequestBody()) {
        bytes = in.readAllBytes();
      }
      JsonNode body = bytes.length == 0 ? JSON.nullNode() : JSON.readTree(bytes);
      String path = http.getRequestURI().getPath();
      Map<String, String> headers = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      http.getRequestHeaders().forEach((name, values) -> headers.put(name, values.get(0)));
      requests.add(new Recorded(http.getRequestMethod(), path, headers, body));
      Route route = routes.get(http.getRequestMethod() + " " + path);
      Exchange exchange = new Exchange(http);
      if (route == null) {
        exchange.json(404, "{\"error\":\"404 page not found\"}");
        return;
      }
      route.handle(body, exchange);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }

  /** Writes one response: whole, or streamed line by line. */
  public static final class Exchange {
    private final HttpExchange http;
    private OutputStream stream;

    Exchange(HttpExchange http) {
      this.http = http;
    }

    /** The raw query string, or "" without one. */
    public String query() {
      String query = http.getRequestURI().getRawQuery();
      return query == null ? "" : query;
    }

    public void json(int status, String body) throws IOException {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      http.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
      http.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = http.getResponseBody()) {
        out.write(bytes);
      }
    }

    /** Starts a chunked streaming response with the given content type. */
    public void startStream(int status, String contentType) throws IOException {
      http.getResponseHeaders().set("Content-Type", contentType);
      http.sendResponseHeaders(status, 0);
      stream = http.getResponseBody();
    }

    /** Sends one line now, so the client sees it as it would see a token arrive. */
    public void line(String line) throws IOException {
      stream.write((line + "\n").getBytes(StandardCharsets.UTF_8));
      stream.flush();
    }

    public void endStream() throws IOException {
      stream.close();
    }
  }

  /** A test resource as text. */
  public static String resource(String path) {
    try (InputStream in = FakeHttpServer.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalArgumentException("no test resource " + path);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
