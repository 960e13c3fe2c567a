package io.tokbench.agent.residence;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/** Linux's process table under {@code /proc}: its processes, their command lines, and which are llama-servers. */
public final class ProcessTable {
  private ProcessTable() {}

  /**
   * What {@code probe} finds in each process's directory ({@code /proc/PID}); nothing when the table
   * cannot be read. Another user's process, or one that ended meanwhile, is the probe's to skip.
   */
  public static <T> Set<T> find(Path proc, Function<Path, Optional<T>> probe) {
    Set<T> found = new HashSet<>();
    try (DirectoryStream<Path> processes = Files.newDirectoryStream(proc, p -> p.getFileName().toString().matches("\\d+"))) {
      for (Path process : processes) {
        probe.apply(process).ifPresent(found::add);
      }
    } catch (IOException | SecurityException e) {
      return Set.of();
    }
    return found;
  }

  /** The process's program and arguments ({@code /proc/PID/cmdline}). */
  public static List<String> arguments(Path process) throws IOException {
    return nulSeparated(Files.readAllBytes(process.resolve("cmdline")));
  }

  /** {@code cmdline} and {@code environ} entries: NUL-separated, none when empty (a kernel thread's). */
  public static List<String> nulSeparated(byte[] bytes) {
    String text = new String(bytes, StandardCharsets.UTF_8);
    return text.isEmpty() ? List.of() : List.of(text.split("\0"));
  }

  /** Whether the program is a llama-server, whatever its path or suffix. */
  public static boolean isLlamaServer(List<String> arguments) {
    if (arguments.isEmpty()) {
      return false;
    }
    String program = arguments.get(0);
    return program.substring(program.lastIndexOf('/') + 1).startsWith("llama-server");
  }
}
