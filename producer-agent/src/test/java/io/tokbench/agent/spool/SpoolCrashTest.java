package io.tokbench.agent.spool;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokbench.schema.BenchmarkReport;
import io.tokbench.testkit.SampleReports;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Killing the agent at any moment loses no completed report and never leaves a half-written one
 * that is later sent: a child JVM spools reports as fast as it can and is killed with SIGKILL.
 */
class SpoolCrashTest {
  @TempDir Path dir;

  /** The child: spools reports until killed, printing each completed one. */
  public static void main(String[] args) {
    Spool spool = new Spool(Path.of(args[0]));
    UUID rig = UUID.randomUUID();
    for (int i = 0; ; i++) {
      spool.add(SampleReports.rtx4090(rig, Instant.ofEpochMilli(1_700_000_000_000L + i)));
      System.out.println("spooled " + i);
      System.out.flush();
    }
  }

  @Test
  void aKillDuringSpoolingLeavesOnlyCompleteReports() throws Exception {
    for (int round = 0; round < 3; round++) {
      Process child = new ProcessBuilder(
              Path.of(System.getProperty("java.home"), "bin", "java").toString(),
              "-cp", System.getProperty("java.class.path"), SpoolCrashTest.class.getName(), dir.toString())
          .redirectErrorStream(true)
          .start();
      // Let it get going, then kill it without warning (destroyForcibly is SIGKILL on Unix).
      String firstLine = new String(child.getInputStream().readNBytes(9));
      assertThat(firstLine).startsWith("spooled");
      Thread.sleep(150 + 100L * round);
      child.destroyForcibly();
      assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
    }

    List<Spool.Entry> entries = new Spool(dir).list();
    assertThat(entries).isNotEmpty();
    assertThat(entries).allSatisfy(entry -> {
      BenchmarkReport report = entry.report();
      assertThat(report.getRepetitions()).hasSize(3);
      assertThat(report.getModel().getName()).isEqualTo("deepseek-r1:8b");
    });
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).as("interrupted writes are swept, never listed").allMatch(n -> n.endsWith(".avro"));
    }
  }

  @Test
  void aHalfWrittenFileIsNeverListed() throws IOException {
    Spool spool = new Spool(dir);
    Path complete = spool.add(SampleReports.rtx4090(UUID.randomUUID(), Instant.now()));
    byte[] bytes = Files.readAllBytes(complete);
    Files.write(dir.resolve("1700000000000-" + UUID.randomUUID() + ".partial"), java.util.Arrays.copyOf(bytes, bytes.length / 2));

    assertThat(spool.list()).extracting(Spool.Entry::file).containsExactly(complete);
  }

  @Test
  void reportsComeBackOldestFirstAndLeaveWhenRemoved() {
    Spool spool = new Spool(dir);
    UUID rig = UUID.randomUUID();
    BenchmarkReport later = SampleReports.rtx4090(rig, Instant.ofEpochMilli(1_700_000_002_000L));
    BenchmarkReport earlier = SampleReports.rtx4090(rig, Instant.ofEpochMilli(1_700_000_001_000L));
    spool.add(later);
    spool.add(earlier);

    List<Spool.Entry> entries = spool.list();
    assertThat(entries).extracting(Spool.Entry::report).containsExactly(earlier, later);
    spool.remove(entries.get(0).file());
    assertThat(spool.list()).extracting(Spool.Entry::report).containsExactly(later);
  }
}
