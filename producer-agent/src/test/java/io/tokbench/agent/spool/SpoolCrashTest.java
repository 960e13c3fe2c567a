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
  void unreadableFilesAreMovedAsideAndNeverHoldUpTheOthers() throws IOException {
    Spool spool = new Spool(dir);
    UUID rig = UUID.randomUUID();
    Path first = spool.add(SampleReports.rtx4090(rig, Instant.ofEpochMilli(1_700_000_001_000L)));
    Path last = spool.add(SampleReports.rtx4090(rig, Instant.ofEpochMilli(1_700_000_009_000L)));
    byte[] good = Files.readAllBytes(first);
    // Sorted between the two good ones: a truncated report, garbage, an empty file, and a
    // directory where a file should be (reading it fails with an I/O error).
    Files.write(dir.resolve("1700000002000-truncated.avro"), java.util.Arrays.copyOf(good, good.length / 2));
    Files.writeString(dir.resolve("1700000003000-garbage.avro"), "not an avro container");
    Files.write(dir.resolve("1700000004000-empty.avro"), new byte[0]);
    Files.createDirectory(dir.resolve("1700000005000-directory.avro"));

    assertThat(spool.list()).extracting(Spool.Entry::file).containsExactly(first, last);
    assertThat(spool.quarantined()).extracting(q -> q.file().getFileName().toString())
        .containsExactly("1700000002000-truncated.avro", "1700000003000-garbage.avro", "1700000004000-empty.avro", "1700000005000-directory.avro");
    assertThat(spool.quarantined()).allSatisfy(q -> assertThat(q.reason()).isNotBlank().doesNotContain("Exception"));
    assertThat(spool.list()).as("a second pass finds only the good ones").extracting(Spool.Entry::file).containsExactly(first, last);
  }

  @Test
  void theDirectoryIsSyncedAfterTheRenameSoTheReportSurvivesAPowerLoss() throws IOException {
    List<String> seen = new java.util.ArrayList<>();
    Spool spool = new Spool(dir, synced -> {
      try (Stream<Path> files = Files.list(synced)) {
        seen.add(synced.getFileName() + ":" + files.map(p -> p.getFileName().toString()).sorted().toList());
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    Path file = spool.add(SampleReports.rtx4090(UUID.randomUUID(), Instant.ofEpochMilli(1_700_000_001_000L)));
    assertThat(seen).as("one directory sync, after the rename: only the final name exists")
        .containsExactly(dir.getFileName() + ":[" + file.getFileName() + "]");

    Files.writeString(dir.resolve("1700000000000-bad.avro"), "garbage");
    seen.clear();
    spool.list();
    assertThat(seen).as("moving a file aside is synced on both sides")
        .containsExactly(Spool.QUARANTINE + ":[1700000000000-bad.avro, 1700000000000-bad.avro.why.txt]", dir.getFileName() + ":[" + file.getFileName() + ", " + Spool.QUARANTINE + "]");
  }

  @Test
  void theRealDirectorySyncWorksHere() {
    Spool.syncDirectory(dir);
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
