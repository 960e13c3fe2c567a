package io.tokbench.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A main class of the test classpath running in a JVM of its own, so a test can kill it as the
 * operating system would (SIGKILL: no shutdown hook, no flush, no goodbye to the broker). Output
 * goes to a log file that restarts append to.
 */
public final class ChildJvm implements AutoCloseable {
  private final Process process;

  private ChildJvm(Process process) {
    this.process = process;
  }

  /**
   * Starts {@code mainClass} with the test's own classpath and Java.
   *
   * @param log file the child's stdout and stderr are appended to
   */
  public static ChildJvm start(String mainClass, List<String> args, Path log) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // Small heap and few GC threads: several JVMs share this machine's two cores.
    command.addAll(List.of("-Xmx512m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), mainClass));
    command.addAll(args);
    try {
      return new ChildJvm(new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(Redirect.appendTo(log.toFile())).start());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + mainClass, e);
    }
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** SIGKILL, then waits until the process is gone. */
  public void kill() {
    process.destroyForcibly();
    awaitExit(30);
  }

  /** SIGTERM (shutdown hooks run), then waits; returns the exit code. */
  public int terminate() {
    process.destroy();
    return awaitExit(60);
  }

  /** Sends a signal by name (INT, TERM, ...) with the system's kill command, as a shell would. */
  public void signal(String name) {
    try {
      Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).inheritIO().start();
      if (kill.waitFor() != 0) {
        throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Waits for the process to end by itself; returns its exit code. */
  public int awaitExit(int seconds) {
    try {
      if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
        // SIGQUIT: the JVM prints every thread's stack to its output, the log, showing what it waited on.
        signal("QUIT");
        process.waitFor(2, TimeUnit.SECONDS);
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        throw new IllegalStateException("process " + process.pid() + " did not end within " + seconds + " s; killed (its threads' stacks are at the end of its log)");
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Kills the process if it still runs. */
  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
