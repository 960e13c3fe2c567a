package io.tokbench.agent.gguf;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The model file a llama-server on this machine loaded, found from the path its {@code /props}
 * names ({@code model_path}: the {@code -m} argument as typed, so often relative to the directory
 * the server was started in). An absolute path is taken as it is; a relative one is resolved
 * against the working directory of the llama-server process whose command line holds it (Linux
 * {@code /proc/PID/cmdline} and {@code /proc/PID/cwd}), and only when exactly one file answers.
 *
 * <p>The path is only used to read the header here; it never leaves the machine.
 */
public final class LocalModelFile {
  private final Path proc;

  public LocalModelFile(Path proc) {
    this.proc = proc;
  }

  public static LocalModelFile system() {
    return new LocalModelFile(Path.of("/proc"));
  }

  /** Whether the server's address is this machine's: only then is its model path a path here. */
  public static boolean isLocal(String url) {
    try {
      String host = URI.create(url).getHost();
      if (host == null) {
        return false;
      }
      String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
      // Resolve names too ("localhost"); a literal address resolves without a lookup.
      return bare.equalsIgnoreCase("localhost") || InetAddress.getByName(bare).isLoopbackAddress();
    } catch (IllegalArgumentException | UnknownHostException e) {
      return false;
    }
  }

  /** The file, when it can be found and read. */
  public Optional<Path> locate(String modelPath) {
    Path path;
    try {
      path = Path.of(modelPath);
    } catch (InvalidPathException e) {
      return Optional.empty();
    }
    if (modelPath.isBlank()) {
      return Optional.empty();
    }
    if (path.isAbsolute()) {
      return readable(path);
    }
    Set<Path> found = new HashSet<>();
    try (DirectoryStream<Path> processes = Files.newDirectoryStream(proc, p -> p.getFileName().toString().matches("\\d+"))) {
      for (Path process : processes) {
        if (startedWith(process, modelPath)) {
          try {
            readable(process.resolve("cwd").toRealPath().resolve(path)).ifPresent(p -> found.add(p.normalize()));
          } catch (IOException | SecurityException e) {
            // Another user's process, or one that ended meanwhile: not ours to read.
          }
        }
      }
    } catch (IOException | SecurityException e) {
      return Optional.empty();
    }
    return found.size() == 1 ? Optional.of(found.iterator().next()) : Optional.empty();
  }

  /** A llama-server process given the path as its model (-m PATH, --model PATH, --model=PATH). */
  private static boolean startedWith(Path process, String modelPath) {
    try {
      List<String> args = List.of(new String(Files.readAllBytes(process.resolve("cmdline")), StandardCharsets.UTF_8).split("\0"));
      String program = args.get(0);
      if (!program.substring(program.lastIndexOf('/') + 1).startsWith("llama-server")) {
        return false;
      }
      for (int i = 1; i < args.size(); i++) {
        String arg = args.get(i);
        boolean flag = arg.equals("-m") || arg.equals("--model");
        if ((flag && i + 1 < args.size() && args.get(i + 1).equals(modelPath)) || arg.equals("--model=" + modelPath)) {
          return true;
        }
      }
      return false;
    } catch (IOException | SecurityException | InvalidPathException e) {
      return false;
    }
  }

  private static Optional<Path> readable(Path path) {
    return Files.isRegularFile(path) && Files.isReadable(path) ? Optional.of(path) : Optional.empty();
  }
}
