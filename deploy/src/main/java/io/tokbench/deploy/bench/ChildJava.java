package io.tokbench.deploy.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A main class of this classpath in its own JVM: started, its output watched, stopped. */
final class ChildJava implements AutoCloseable {
  private final Process process;
  private final String name;
  private final Path log;

  private ChildJava(Process process, String name, Path log) {
    this.process = process;
    this.name = name;
    this.log = log;
  }

  /** Starts the class with the JVM options and arguments; its output goes to {@code log}. */
  static ChildJava start(String name, List<String> jvmOptions, String mainClass, List<String> args, Path log) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass);
    command.addAll(args);
    Files.createDirectories(log.getParent());
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    return new ChildJava(process, name, log);
  }

  boolean isAlive() {
    return process.isAlive();
  }

  long pid() {
    return process.pid();
  }

  /** Waits for a line of the child's output that matches, or fails with the log's tail. */
  String awaitLine(Predicate<String> wanted, Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
        if (wanted.test(line)) {
          return line;
        }
      }
      if (!process.isAlive()) {
        throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see " + log);
      }
      Thread.sleep(20); // the benchmark times from the line: a coarse poll would shorten what it times
    }
    throw new IllegalStateException(name + " did not start within " + timeout.toSeconds() + " s; see " + log);
  }

  /** Output of a JDK tool run against this process (jcmd), for heap figures. */
  String jcmd(String... command) throws IOException, InterruptedException {
    List<String> full = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), String.valueOf(pid())));
    full.addAll(List.of(command));
    Process jcmd = new ProcessBuilder(full).redirectErrorStream(true).start();
    StringBuilder out = new StringBuilder();
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(jcmd.getInputStream(), StandardCharsets.UTF_8))) {
      reader.lines().forEach(l -> out.append(l).append('\n'));
    }
    jcmd.waitFor(30, TimeUnit.SECONDS);
    return out.toString();
  }

  /** Resident set size from /proc, in bytes; -1 where /proc is absent. */
  long residentBytes() throws IOException {
    Path status = Path.of("/proc", String.valueOf(pid()), "status");
    if (!Files.exists(status)) {
      return -1;
    }
    for (String line : Files.readAllLines(status)) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    return -1;
  }

  /** Closes its standard input (the broker process stops on that), then SIGTERM, then SIGKILL. */
  @Override
  public void close() throws IOException, InterruptedException {
    process.getOutputStream().close();
    if (!process.waitFor(3, TimeUnit.SECONDS)) {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    }
  }
}
