package io.tokbench.agent.llamacpp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Scratch folders under the module's {@code target/}, not under java.io.tmpdir: on a shared
 * machine other jobs clean that while tests run.
 */
final class TargetFolder {
  private TargetFolder() {}

  static Path create(String prefix) throws IOException {
    return Files.createTempDirectory(Files.createDirectories(Path.of("target").toAbsolutePath()), prefix);
  }

  static void delete(Path folder) throws IOException {
    if (folder == null || !Files.exists(folder)) {
      return;
    }
    try (Stream<Path> files = Files.walk(folder)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(file);
      }
    }
  }
}
