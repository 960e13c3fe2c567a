package io.tokbench.agent.residence;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The process serving a local TCP port, found the way {@code ss -ltnp} finds it on Linux: the
 * listening socket's inode in {@code /proc/net/tcp} and {@code /proc/net/tcp6} (state {@code 0A}),
 * then the one process with a file descriptor linked to {@code socket:[inode]}. Other users'
 * processes cannot be read, so a server run by another user stays unknown. The pid is used to ask
 * the GPU tools about that process; it never leaves the machine.
 */
public final class ListeningProcess {
  private static final String LISTEN = "0A";
  private static final int LOCAL_ADDRESS = 1;
  private static final int STATE = 3;
  private static final int INODE = 9;

  private final Path proc;

  public ListeningProcess(Path proc) {
    this.proc = proc;
  }

  public static ListeningProcess system() {
    return new ListeningProcess(Path.of("/proc"));
  }

  /** The pid, when exactly one readable process holds a socket listening on the port. */
  public OptionalLong pid(int port) {
    Set<String> sockets = new HashSet<>();
    for (String table : List.of("net/tcp", "net/tcp6")) {
      sockets.addAll(listeningSockets(proc.resolve(table), port));
    }
    if (sockets.isEmpty()) {
      return OptionalLong.empty();
    }
    Set<Long> holders = ProcessTable.find(proc, process -> holdsAny(process, sockets) ? Optional.of(Long.parseLong(process.getFileName().toString())) : Optional.empty());
    return holders.size() == 1 ? OptionalLong.of(holders.iterator().next()) : OptionalLong.empty();
  }

  /** {@code socket:[inode]} of each socket listening on the port, as fd links name them. */
  static Set<String> listeningSockets(Path table, int port) {
    Set<String> sockets = new HashSet<>();
    String hexPort = ":" + String.format(Locale.ROOT, "%04X", port);
    try {
      for (String line : Files.readAllLines(table)) {
        String[] cells = line.trim().split("\\s+");
        if (cells.length > INODE && cells[LOCAL_ADDRESS].toUpperCase(Locale.ROOT).endsWith(hexPort) && cells[STATE].equals(LISTEN)
            && !cells[INODE].equals("0")) {
          sockets.add("socket:[" + cells[INODE] + "]");
        }
      }
    } catch (IOException | SecurityException e) {
      // No such table (IPv6 disabled) or not readable: nothing listens there as far as we can see.
    }
    return sockets;
  }

  private static boolean holdsAny(Path process, Set<String> sockets) {
    try (DirectoryStream<Path> fds = Files.newDirectoryStream(process.resolve("fd"))) {
      for (Path fd : fds) {
        try {
          if (sockets.contains(Files.readSymbolicLink(fd).toString())) {
            return true;
          }
        } catch (IOException | UnsupportedOperationException e) {
          // closed meanwhile
        }
      }
    } catch (IOException | SecurityException e) {
      // another user's process, or one that ended meanwhile
    }
    return false;
  }
}
