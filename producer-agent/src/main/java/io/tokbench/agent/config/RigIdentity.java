package io.tokbench.agent.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;

/**
 * The anonymous rig id: a random UUID made once and kept in the config dir. It is not derived from
 * anything about the machine or its owner, so it links a rig's reports to each other and to
 * nothing else; deleting the file makes the rig a stranger.
 */
public final class RigIdentity {
  public static final String FILE_NAME = "rig-id";

  private RigIdentity() {}

  public static UUID load(Path configDir) {
    Path file = configDir.resolve(FILE_NAME);
    try {
      if (Files.isRegularFile(file)) {
        return UUID.fromString(Files.readString(file, StandardCharsets.UTF_8).trim());
      }
      Files.createDirectories(configDir);
      UUID id = UUID.randomUUID();
      Path temp = Files.createTempFile(configDir, FILE_NAME, ".tmp");
      Files.writeString(temp, id + "\n", StandardCharsets.UTF_8);
      try {
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, file);
      }
      return UUID.fromString(Files.readString(file, StandardCharsets.UTF_8).trim());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read or create the rig id in " + configDir, e);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(file + " does not hold a UUID; delete it to get a new rig id", e);
    }
  }
}
