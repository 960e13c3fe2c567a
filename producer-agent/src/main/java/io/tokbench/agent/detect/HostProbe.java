package io.tokbench.agent.detect;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The agent's window on the machine: run a vendor tool, read a system file, read a JVM property.
 * Detection goes only through here, so tests replay recorded outputs and a missing tool is simply
 * an empty answer.
 */
public interface HostProbe {

  /** A command's standard output, or empty when the tool is missing, fails or hangs. */
  Optional<String> run(List<String> command);

  /** A file's content, or empty when it does not exist or cannot be read. */
  Optional<String> read(Path file);

  /** A JVM system property such as os.name. */
  String property(String name);

  /** The real machine. */
  static HostProbe system() {
    return new SystemHostProbe(Duration.ofSeconds(10));
  }

  /** Runs tools as child processes with a time limit. */
  final class SystemHostProbe implements HostProbe {
    private final Duration timeout;

    SystemHostProbe(Duration timeout) {
      this.timeout = timeout;
    }

    @Override
    public Optional<String> run(List<String> command) {
      try {
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = process.getInputStream().readAllBytes();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          process.destroyForcibly();
          return Optional.empty();
        }
        return process.exitValue() == 0 ? Optional.of(new String(out, StandardCharsets.UTF_8)) : Optional.empty();
      } catch (IOException e) {
        return Optional.empty(); // the tool is not installed
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Optional.empty();
      }
    }

    @Override
    public Optional<String> read(Path file) {
      try {
        return Files.isReadable(file) ? Optional.of(Files.readString(file, StandardCharsets.UTF_8)) : Optional.empty();
      } catch (IOException e) {
        return Optional.empty();
      }
    }

    @Override
    public String property(String name) {
      return System.getProperty(name, "");
    }
  }
}
