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
    // A process started in the background by a non-interactive shell ignores SIGINT, and so does
    // every process it starts (a shell's rule, inherited through exec): the stack could not see a
    // Ctrl-C then, as none reaches it from a terminal either. Only SIGTERM is sent in that case.
    List<String> signals = sigintIgnoredHere() ? List.of("TERM") : List.of("INT", "TERM");
    if (signals.size() == 1) {
      System.out.println("SIGINT is ignored by this test's process (started in the background by a shell): only SIGTERM is sent");
    }
    for (String signal : signals) {
      Path log = dir.resolve("stack-" + signal + ".log");
      try (ChildJvm stack = ChildJvm.start(LocalStackCommand.class.getName(), args, log)) {
        awaitLine(log, "Press Ctrl-C to stop.", stack);
        stack.signal(signal);
        int exit;
        try {
          exit = stack.awaitExit(90);
        } catch (IllegalStateException e) {
          throw new AssertionError("no exit within 90 s of SIG" + signal + "; output:\n" + Files.readString(log), e);
        }
        assertThat(exit).as("exit code after SIG%s; output:%n%s", signal, Files.readString(log)).isZero();
        assertThat(Files.readString(log)).contains("Stopping the local stack...", "Stopped.");
      }
    }
  }

  /** Whether this process ignores SIGINT (bit 2 of SigIgn in /proc/self/status); false where there is no /proc. */
  private static boolean sigintIgnoredHere() throws IOException {
    Path status = Path.of("/proc/self/status");
    if (!Files.exists(status)) {
      return false;
    }
    for (String line : Files.readAllLines(status)) {
      if (line.startsWith("SigIgn:")) {
        return (Long.parseUnsignedLong(line.substring("SigIgn:".length()).trim(), 16) & (1L << 1)) != 0;
      }
    }
    return false;
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
