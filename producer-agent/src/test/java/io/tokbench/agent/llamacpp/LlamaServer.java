package io.tokbench.agent.llamacpp;

import io.tokbench.testkit.FreePorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code llama-server} on a free loopback port, with 2 threads, its output in
 * {@code target/llama-server-<port>.log}; stopped by {@link #close()}.
 */
public final class LlamaServer implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  private final Process process;
  private final int port;
  private final Path log;

  private LlamaServer(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /** Starts it with these arguments (the model, -c, -np, ...) and waits until /health says ok. */
  public static LlamaServer start(String... arguments) {
    return startIn(null, arguments);
  }

  /** Started in a working directory, against which relative paths in its arguments resolve; null: the test's. */
  public static LlamaServer startIn(Path workingDirectory, String... arguments) {
    int port = FreePorts.next();
    List<String> command = new ArrayList<>(List.of(LlamaCppBuild.server().toString()));
    command.addAll(List.of(arguments));
    command.addAll(List.of("--host", "127.0.0.1", "--port", String.valueOf(port), "-t", "2"));
    Path log = Path.of("target", "llama-server-" + port + ".log").toAbsolutePath();
    try {
      Files.createDirectories(log.getParent());
      Process process = new ProcessBuilder(command).directory(workingDirectory == null ? null : workingDirectory.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      LlamaServer server = new LlamaServer(process, port, log);
      server.awaitHealthy();
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The server's process id, as the GPU tools would list it. */
  public long pid() {
    return process.pid();
  }

  public String url() {
    return "http://127.0.0.1:" + port;
  }

  private void awaitHealthy() {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("llama-server exited with " + process.exitValue() + ":\n" + logText());
      }
      try {
        HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(url() + "/health")).timeout(Duration.ofSeconds(2)).build(),
            HttpResponse.BodyHandlers.ofString());
        if (health.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      sleep(100);
    }
    close();
    throw new IllegalStateException("llama-server did not become healthy within " + START_TIMEOUT + ":\n" + logText());
  }

  private String logText() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    // A router's model instances are its children: stop them with it.
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
