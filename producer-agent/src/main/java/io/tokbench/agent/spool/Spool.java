package io.tokbench.agent.spool;

import io.tokbench.schema.BenchmarkReport;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.file.SeekableByteArrayInput;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * Reports waiting to be delivered: one Avro container file per report, so the file carries its
 * writer schema and a later agent version still reads it. A report is written to a temporary name,
 * fsynced, atomically renamed, and the directory fsynced, so the rename itself survives a power
 * loss: a kill or a crash at any moment leaves either the complete report under its final name or
 * a temporary file that is never delivered and is swept away.
 *
 * <p>A file that cannot be read (corrupt, truncated by a failing disk, not a report) is moved to
 * the {@code quarantine} folder inside the spool with a note saying why, and the other reports go
 * on: one bad file never holds up delivery.
 */
public final class Spool {
  private static final String SUFFIX = ".avro";
  private static final String TEMP_SUFFIX = ".partial";
  private static final String REASON_SUFFIX = ".why.txt";
  static final String QUARANTINE = "quarantine";
  private static final boolean WINDOWS = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");

  private final Path dir;
  private final Consumer<Path> directorySync;

  public Spool(Path dir) {
    this(dir, Spool::syncDirectory);
  }

  /** With a stand-in for the directory fsync, so a test can see when it happens. */
  Spool(Path dir, Consumer<Path> directorySync) {
    this.dir = dir;
    this.directorySync = directorySync;
  }

  public Path dir() {
    return dir;
  }

  /** Where unreadable files are moved. */
  public Path quarantineDir() {
    return dir.resolve(QUARANTINE);
  }

  /** One spooled report and its file. */
  public record Entry(Path file, BenchmarkReport report) {}

  /** A file moved aside, and why. */
  public record Quarantined(Path file, String reason) {}

  /** Durably stores a report; returns its file. */
  public Path add(BenchmarkReport report) {
    try {
      Files.createDirectories(dir);
      String name = report.getMeasuredAt().toEpochMilli() + "-" + report.getReportId();
      Path temp = dir.resolve(name + TEMP_SUFFIX);
      Path target = dir.resolve(name + SUFFIX);
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
          OutputStream out = Channels.newOutputStream(channel);
          DataFileWriter<BenchmarkReport> writer = new DataFileWriter<>(new SpecificDatumWriter<>(BenchmarkReport.class))) {
        writer.create(BenchmarkReport.getClassSchema(), out);
        writer.append(report);
        writer.flush();
        channel.force(true);
      }
      move(temp, target);
      directorySync.accept(dir);
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write report " + report.getReportId() + " to the spool " + dir, e);
    }
  }

  /**
   * Every readable report, oldest first. Temporary files of an interrupted write are removed;
   * unreadable files are quarantined.
   */
  public List<Entry> list() {
    List<Entry> entries = new ArrayList<>();
    for (Path file : reportFiles()) {
      try {
        entries.add(new Entry(file, read(file)));
      } catch (IOException | RuntimeException e) {
        quarantine(file, e);
      }
    }
    return entries;
  }

  /** Files moved aside so far, oldest first, with the reason noted when they were. */
  public List<Quarantined> quarantined() {
    List<Quarantined> files = new ArrayList<>();
    Path quarantine = quarantineDir();
    if (!Files.isDirectory(quarantine)) {
      return files;
    }
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(quarantine)) {
      for (Path file : stream) {
        if (!file.getFileName().toString().endsWith(REASON_SUFFIX)) {
          Path note = reasonFile(file);
          files.add(new Quarantined(file, Files.isRegularFile(note) ? Files.readString(note, StandardCharsets.UTF_8).strip() : "unreadable"));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list the spool's quarantine " + quarantine, e);
    }
    files.sort((a, b) -> a.file().compareTo(b.file()));
    return files;
  }

  /** Removes a report once the broker has acknowledged it. */
  public void remove(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot remove delivered report " + file, e);
    }
  }

  private List<Path> reportFiles() {
    List<Path> files = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return files;
    }
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
      for (Path file : stream) {
        String name = file.getFileName().toString();
        if (name.endsWith(TEMP_SUFFIX)) {
          Files.deleteIfExists(file);
        } else if (name.endsWith(SUFFIX)) {
          files.add(file);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list the spool " + dir, e);
    }
    files.sort(null);
    return files;
  }

  /** Moves an unreadable file aside with a note; if even that fails, it is skipped this time. */
  private void quarantine(Path file, Exception why) {
    String reason = why.getMessage() == null ? "unreadable" : why.getMessage();
    try {
      Path quarantine = Files.createDirectories(quarantineDir());
      Path target = quarantine.resolve(file.getFileName());
      Files.writeString(reasonFile(target), reason + System.lineSeparator(), StandardCharsets.UTF_8);
      move(file, target);
      directorySync.accept(quarantine);
      directorySync.accept(dir);
    } catch (IOException | UncheckedIOException e) {
      // Left where it is: it is skipped again next time, and still holds nothing up.
    }
  }

  private static Path reasonFile(Path file) {
    return file.resolveSibling(file.getFileName() + REASON_SUFFIX);
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static BenchmarkReport read(Path file) throws IOException {
    try (DataFileReader<BenchmarkReport> reader =
        new DataFileReader<>(new SeekableByteArrayInput(Files.readAllBytes(file)), new SpecificDatumReader<>(BenchmarkReport.class))) {
      if (!reader.hasNext()) {
        throw new IOException("holds no report");
      }
      return reader.next();
    }
  }

  /**
   * Makes renames in the directory durable: POSIX needs the directory itself fsynced. Windows
   * cannot open a directory, and NTFS journals the rename.
   */
  static void syncDirectory(Path directory) {
    if (WINDOWS) {
      return;
    }
    try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot sync the spool directory " + directory, e);
    }
  }
}
