package io.tokbench.agent.gguf;

import io.tokbench.agent.residence.ProcessTable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
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
    Set<Path> found = ProcessTable.find(proc, process -> {
      if (!startedWith(process, modelPath)) {
        return Optional.empty();
      }
      try {
        return readable(process.resolve("cwd").toRealPath().resolve(path)).map(Path::normalize);
      } catch (IOException | SecurityException e) {
        return Optional.empty(); // another user's process, or one that ended meanwhile: not ours to read
      }
    });
    return found.size() == 1 ? Optional.of(found.iterator().next()) : Optional.empty();
  }

  /** A llama-server process given the path as its model (-m PATH, --model PATH, --model=PATH). */
  private static boolean startedWith(Path process, String modelPath) {
    try {
      List<String> args = ProcessTable.arguments(process);
      if (!ProcessTable.isLlamaServer(args)) {
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
