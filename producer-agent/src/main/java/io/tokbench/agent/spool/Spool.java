package io.tokbench.agent.spool;

import io.tokbench.schema.BenchmarkReport;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.file.SeekableByteArrayInput;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * Reports waiting to be delivered: one Avro container file per report, so the file carries its
 * writer schema and a later agent version still reads it. A report is written to a temporary name,
 * fsynced, then atomically renamed: a kill at any moment leaves either the complete report under its
 * final name or a temporary file that is never delivered and is swept away.
 */
public final class Spool {
  private static final String SUFFIX = ".avro";
  private static final String TEMP_SUFFIX = ".partial";

  private final Path dir;

  public Spool(Path dir) {
    this.dir = dir;
  }

  public Path dir() {
    return dir;
  }

  /** One spooled report and its file. */
  public record Entry(Path file, BenchmarkReport report) {}

  /** Durably stores a report; returns its file. */
  public Path add(BenchmarkReport report) {
    try {
      Files.createDirectories(dir);
      String name = report.getMeasuredAt().toEpochMilli() + "-" + report.getReportId();
      Path temp = dir.resolve(name + TEMP_SUFFIX);
      Path target = dir.resolve(name + SUFFIX);
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
          OutputStream out = java.nio.channels.Channels.newOutputStream(channel);
          DataFileWriter<BenchmarkReport> writer = new DataFileWriter<>(new SpecificDatumWriter<>(BenchmarkReport.class))) {
        writer.create(BenchmarkReport.getClassSchema(), out);
        writer.append(report);
        writer.flush();
        channel.force(true);
      }
      try {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
      }
      syncDirectory();
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write report " + report.getReportId() + " to the spool " + dir, e);
    }
  }

  /** Every complete report, oldest first. Temporary files of an interrupted write are removed. */
  public List<Entry> list() {
    List<Entry> entries = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return entries;
    }
    List<Path> files = new ArrayList<>();
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
    for (Path file : files) {
      entries.add(new Entry(file, read(file)));
    }
    return entries;
  }

  /** Removes a report once the broker has acknowledged it. */
  public void remove(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot remove delivered report " + file, e);
    }
  }

  private static BenchmarkReport read(Path file) {
    try (DataFileReader<BenchmarkReport> reader =
        new DataFileReader<>(new SeekableByteArrayInput(Files.readAllBytes(file)), new SpecificDatumReader<>(BenchmarkReport.class))) {
      return reader.next();
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("Spooled report " + file + " is unreadable: " + e.getMessage(), e);
    }
  }

  /** Makes the rename itself durable (POSIX); a no-op where directories cannot be opened. */
  private void syncDirectory() {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // Windows cannot open a directory; the rename is still atomic there.
    }
  }
}
