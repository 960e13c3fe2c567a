package io.tokbench.agent.llamacpp;

import com.sun.net.httpserver.HttpExchange;
import io.tokbench.agent.fakes.FakeHttpServer;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Sits between the agent and a real server, passing every request on and every answer back as it
 * streams, and keeps a copy of each answer: the server's own timings for the very requests the
 * agent made, to compare with what the agent reported.
 */
public final class RecordingProxy implements AutoCloseable {
  static {
    // Token events must pass at once, not wait for Nagle's algorithm (read when HttpServer loads).
    System.setProperty("sun.net.httpserver.nodelay", "true");
  }

  private final HttpServer server;
  private final String target;
  private final List<Exchange> exchanges = new CopyOnWriteArrayList<>();
  private final int[] inFlight = {0};

  /** One request and the server's complete answer. */
  public record Exchange(String method, String path, String requestBody, int status, String responseBody) {}

  public RecordingProxy(String target) {
    this.target = target;
    this.server = FakeHttpServer.loopbackServer("recording-proxy", this::forward);
  }

  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /**
   * The recorded exchanges with the path, once every request under way has been answered in full
   * (the agent may close a stream at its last event while the server's last bytes still travel).
   */
  public List<Exchange> exchanges(String path) {
    synchronized (inFlight) {
      long deadline = System.currentTimeMillis() + 10_000;
      while (inFlight[0] > 0 && System.currentTimeMillis() < deadline) {
        try {
          inFlight.wait(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    return exchanges.stream().filter(e -> e.path().equals(path)).toList();
  }

  private void started() {
    synchronized (inFlight) {
      inFlight[0]++;
    }
  }

  private void finished() {
    synchronized (inFlight) {
      inFlight[0]--;
      inFlight.notifyAll();
    }
  }

  private void forward(HttpExchange exchange) throws IOException {
    started();
    try (exchange) {
      byte[] request = exchange.getRequestBody().readAllBytes();
      URI uri = exchange.getRequestURI();
      HttpURLConnection connection = (HttpURLConnection) URI.create(target + uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()))
          .toURL().openConnection();
      connection.setRequestMethod(exchange.getRequestMethod());
      exchange.getRequestHeaders().forEach((name, values) -> {
        if (!name.equalsIgnoreCase("Host") && !name.equalsIgnoreCase("Content-Length") && !name.equalsIgnoreCase("Connection")) {
          values.forEach(value -> connection.addRequestProperty(name, value));
        }
      });
      if (request.length > 0) {
        connection.setDoOutput(true);
        try (OutputStream out = connection.getOutputStream()) {
          out.write(request);
        }
      }
      int status = connection.getResponseCode();
      InputStream body = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
      String contentType = connection.getContentType();
      if (contentType != null) {
        exchange.getResponseHeaders().set("Content-Type", contentType);
      }
      exchange.sendResponseHeaders(status, 0);
      ByteArrayOutputStream copy = new ByteArrayOutputStream();
      OutputStream out = exchange.getResponseBody();
      boolean clientListens = true;
      if (body != null) {
        byte[] buffer = new byte[8192];
        for (int n = body.read(buffer); n >= 0; n = body.read(buffer)) {
          copy.write(buffer, 0, n);
          // The server's answer is recorded to its end even when the client has stopped reading.
          clientListens = clientListens && relay(out, buffer, n);
        }
      }
      exchanges.add(new Exchange(exchange.getRequestMethod(), uri.getPath(), new String(request, StandardCharsets.UTF_8), status,
          copy.toString(StandardCharsets.UTF_8)));
      connection.disconnect();
      try {
        out.close();
      } catch (IOException clientGone) {
        // the client had what it needed
      }
    } finally {
      finished();
    }
  }

  private static boolean relay(OutputStream out, byte[] buffer, int length) {
    try {
      out.write(buffer, 0, length);
      out.flush();
      return true;
    } catch (IOException clientGone) {
      return false;
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
