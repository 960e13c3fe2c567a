package io.tokbench.deploy.demo;

import io.tokbench.registry.client.RegistryClientConfig;
import io.tokbench.registry.client.SchemaRegistryClient;
import io.tokbench.schema.BenchmarkReport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds the demo fleet through the real pipeline: publishes the fleet's reports, its outliers and
 * malformed payloads to tokbench.reports exactly as agents would (Confluent wire format, the
 * agent's record key), once per data directory, then one fresh report every interval so the pages
 * visibly update.
 */
public final class DemoFeed implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DemoFeed.class);
  static final String TOPIC = ReportSender.TOPIC;
  /** Marks a data directory whose broker already holds the fleet: a restart does not send it twice. */
  static final String SEEDED_MARKER = "demo-fleet-published";
  private static final long SEED = 42;

  private final DemoFleet fleet;
  private final ReportSender sender;
  private final ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "demo-feed");
    t.setDaemon(true);
    return t;
  });

  /** What the initial publication sent. */
  public record Published(int reports, int outliers, int malformed) {}

  private DemoFeed(String bootstrapServers, String registryUrl, Clock clock) {
    fleet = new DemoFleet(SEED, clock);
    sender = new ReportSender(bootstrapServers, registryUrl);
  }

  /**
   * Publishes the fleet (unless this data directory's broker already has it) and starts the trickle.
   *
   * @param liveInterval time between two live reports
   */
  public static DemoFeed start(String bootstrapServers, String registryUrl, Path dataDir, Duration liveInterval, Clock clock) {
    DemoFeed feed = new DemoFeed(bootstrapServers, registryUrl, clock);
    Path marker = dataDir.resolve(SEEDED_MARKER);
    if (!Files.exists(marker)) {
      Published published = feed.publishFleet(registryUrl);
      log.info("Demo fleet published: {} reports, {} outliers, {} malformed payloads", published.reports(), published.outliers(), published.malformed());
      try {
        Files.createDirectories(dataDir);
        Files.writeString(marker, published + "\n");
      } catch (IOException e) {
        throw new UncheckedIOException("cannot mark the demo fleet as published in " + dataDir, e);
      }
    }
    feed.trickle.scheduleWithFixedDelay(feed::publishLive, liveInterval.toMillis(), liveInterval.toMillis(), TimeUnit.MILLISECONDS);
    return feed;
  }

  private Published publishFleet(String registryUrl) {
    List<Future<RecordMetadata>> sent = new ArrayList<>();
    List<BenchmarkReport> reports = fleet.reports(DemoFleet.DEFAULT_RIGS);
    reports.forEach(r -> sent.add(sender.send(r)));
    List<DemoFleet.Outlier> outliers = fleet.outliers();
    outliers.forEach(o -> sent.add(sender.send(o.report())));
    // The truncated and re-framed payloads need the id the registry gave the report schema.
    int schemaId = new SchemaRegistryClient(RegistryClientConfig.of(registryUrl)).latest(TOPIC + "-value").id();
    List<DemoFleet.Malformed> malformed = fleet.malformed(schemaId);
    malformed.forEach(m -> sent.add(sender.send("demo-malformed", m.payload())));
    sender.awaitAcknowledged(sent);
    return new Published(reports.size(), outliers.size(), malformed.size());
  }

  private void publishLive() {
    try {
      sender.awaitAcknowledged(List.of(sender.send(fleet.nextLiveReport())));
    } catch (RuntimeException e) {
      // The broker may be stopping; the next tick tries again.
      log.warn("Demo feed could not publish a live report: {}", e.getMessage());
    }
  }

  @Override
  public void close() {
    trickle.shutdownNow();
    sender.close();
  }
}
