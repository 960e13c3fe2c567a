package io.tokbench.deploy.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokbench.testkit.ChildJvm;
import io.tokbench.testkit.FreePorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tokbench-local} in its own process, stopped as a user stops it: Ctrl-C (SIGINT) in the
 * terminal, or SIGTERM from a service manager. Either way it closes everything and exits 0, as its
 * help and the README promise; a second run on the same data directory starts as usual.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class LocalStackStopTest {
  @TempDir Path dir;

  @Test
  void ctrlCAndSigtermStopTheStackCleanlyWithExitCodeZero() throws Exception {
    List<String> args = List.of("--data-dir", dir.resolve("data").toString(), "--kafka-port", String.valueOf(FreePorts.next()),
        "--controller-port", String.valueOf(FreePorts.next()), "--registry-port", String.valueOf(FreePorts.next()),
        "--api-port", String.valueOf(FreePorts.next()), "--demo", "off");
    for (String signal : List.of("INT", "TERM")) {
      Path log = dir.resolve("stack-" + signal + ".log");
      try (ChildJvm stack = ChildJvm.start(LocalStackCommand.class.getName(), args, log)) {
        awaitLine(log, "Press Ctrl-C to stop.", stack);
        stack.signal(signal);
        assertThat(stack.awaitExit(90)).as("exit code after SIG%s; output:%n%s", signal, Files.readString(log)).isZero();
        assertThat(Files.readString(log)).contains("Stopping the local stack...", "Stopped.");
      }
    }
  }

  private static void awaitLine(Path log, String line, ChildJvm process) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      if (Files.exists(log) && Files.readString(log).contains(line)) {
        return;
      }
      if (!process.isAlive()) {
        throw new AssertionError("the stack ended before it was up:\n" + Files.readString(log));
      }
      Thread.sleep(200);
    }
    throw new AssertionError("the stack was not up within 120 s:\n" + Files.readString(log));
  }
}
