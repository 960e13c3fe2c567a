package io.tokbench.aggregator.support;

import io.tokbench.aggregator.app.AggregatorCommand;
import io.tokbench.testkit.ChildJvm;
import io.tokbench.testkit.FreePorts;
import io.tokbench.testkit.KafkaStack;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * An aggregator instance in its own JVM, started by its command line as an operator would, so a
 * test can SIGKILL it and start it again, on its state directory or on an empty one, on the same
 * API port.
 */
public final class AggregatorProcess implements AutoCloseable {
  private final List<String> args;
  private final Path stateDir;
  private final Path log;
  private final int port;
  private ChildJvm jvm;

  private AggregatorProcess(List<String> args, Path stateDir, Path log, int port) {
    this.args = args;
    this.stateDir = stateDir;
    this.log = log;
    this.port = port;
  }

  /**
   * Starts an instance of {@code applicationId}.
   *
   * @param instanceId its stable name (static group membership), or null for none
   * @param dir where its state directory and log live
   */
  public static AggregatorProcess start(KafkaStack stack, String applicationId, String instanceId, int partitions, Path dir) {
    int port = FreePorts.next();
    Path stateDir = dir.resolve("state");
    List<String> args = new ArrayList<>(List.of("--bootstrap-servers", stack.bootstrapServers(), "--schema-registry-url", stack.registryUrl(),
        "--application-id", applicationId, "--state-dir", stateDir.toString(), "--http-port", String.valueOf(port), "--http-host", "127.0.0.1",
        "--internal-port", String.valueOf(FreePorts.next()), "--advertised-host", "127.0.0.1", "--partitions", String.valueOf(partitions), "--replication-factor", String.valueOf(Math.min(3, stack.brokers())),
        "--rate-limit", "0"));
    if (instanceId != null) {
      args.addAll(List.of("--instance-id", instanceId));
    }
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    AggregatorProcess process = new AggregatorProcess(List.copyOf(args), stateDir, dir.resolve("aggregator.log"), port);
    process.launch();
    return process;
  }

  private void launch() {
    jvm = ChildJvm.start(AggregatorCommand.class.getName(), args, log);
  }

  public String apiUrl() {
    return "http://127.0.0.1:" + port;
  }

  public Path log() {
    return log;
  }

  /** SIGKILL: no shutdown hook, no commit, no leaving the group. */
  public void kill() {
    jvm.kill();
  }

  /** Starts the instance again after a kill; without its state it rebuilds its stores from the changelogs. */
  public void restart(boolean keepState) {
    if (jvm.isAlive()) {
      throw new IllegalStateException("the instance still runs");
    }
    if (!keepState) {
      deleteRecursively(stateDir);
    }
    launch();
  }

  /** SIGTERM, as an orchestrator stops a pod; returns the exit code. */
  public int terminate() {
    return jvm.terminate();
  }

  @Override
  public void close() {
    jvm.close();
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot empty " + dir, e);
    }
  }
}
