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

    /** Output goes to a file so a tool that hangs mid-output cannot block us past the timeout. */
    @Override
    public Optional<String> run(List<String> command) {
      Path output = null;
      try {
        output = Files.createTempFile("tokbench-tool", ".out");
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).redirectOutput(output.toFile()).start();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          process.destroyForcibly();
          return Optional.empty();
        }
        return process.exitValue() == 0 ? Optional.of(Files.readString(output, StandardCharsets.UTF_8)) : Optional.empty();
      } catch (IOException e) {
        return Optional.empty(); // the tool is not installed
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Optional.empty();
      } finally {
        if (output != null) {
          try {
            Files.deleteIfExists(output);
          } catch (IOException ignored) {
            // a temp file left behind is harmless
          }
        }
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
