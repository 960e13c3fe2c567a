package io.tokbench.deploy.demo;

import io.tokbench.aggregator.estimate.published.PublishedResults;
import io.tokbench.catalog.GpuCatalog;
import io.tokbench.catalog.ModelCatalog;
import io.tokbench.schema.BenchmarkReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Loads the published benchmark results into a stack through the real pipeline: each published
 * measurement becomes the report an import of its table would have published ({@link
 * PublishedReports}), sent to tokbench.reports as agents send, once per data directory.
 */
public final class PublishedFeed {
  /** Marks a data directory whose broker already holds the published sets. */
  static final String LOADED_MARKER = "published-sets-loaded";

  /**
   * What the load made of the directory.
   *
   * @param sent false when this data directory's broker already held the sets
   */
  public record Loaded(List<BenchmarkReport> reports, long rigs, long gpus, boolean sent) {}

  private PublishedFeed() {}

  /** The reports of the published sets in {@code published}, without sending them. */
  public static List<BenchmarkReport> reports(Path published, Clock clock) throws IOException {
    return PublishedReports.of(PublishedResults.measurements(published, GpuCatalog.shared(), ModelCatalog.shared()), GpuCatalog.shared(), clock.instant());
  }

  /** Publishes the sets in {@code published} to the stack, unless this data directory's broker already holds them. */
  public static Loaded load(Path published, String bootstrapServers, String registryUrl, Path dataDir, Clock clock) throws IOException {
    List<BenchmarkReport> reports = reports(published, clock);
    long rigs = reports.stream().map(BenchmarkReport::getRigId).distinct().count();
    long gpus = reports.stream().map(r -> r.getHardware().getGpus().get(0).getCanonicalId()).distinct().count();
    Path marker = dataDir.resolve(LOADED_MARKER);
    if (Files.exists(marker)) {
      return new Loaded(reports, rigs, gpus, false);
    }
    try (ReportSender sender = new ReportSender(bootstrapServers, registryUrl)) {
      List<Future<RecordMetadata>> sent = new ArrayList<>(reports.size());
      reports.forEach(r -> sent.add(sender.send(r)));
      sender.awaitAcknowledged(sent);
    }
    Files.createDirectories(dataDir);
    Files.writeString(marker, reports.size() + " reports from " + published + "\n");
    return new Loaded(reports, rigs, gpus, true);
  }
}
