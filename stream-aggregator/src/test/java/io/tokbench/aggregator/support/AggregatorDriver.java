package io.tokbench.aggregator.support;

import io.tokbench.aggregator.app.AggregatorMetrics;
import io.tokbench.aggregator.app.RejectFailedRecordHandler;
import io.tokbench.aggregator.estimate.CalibrateProcessor;
import io.tokbench.aggregator.estimate.CalibrationPoints;
import io.tokbench.aggregator.topology.AggregatorTopology;
import io.tokbench.aggregator.topology.Topics;
import io.tokbench.schema.BenchmarkReport;
import io.tokbench.schema.CalibrationRecord;
import io.tokbench.schema.CommunityRow;
import io.tokbench.schema.RejectedReport;
import io.tokbench.schema.Retraction;
import io.tokbench.schema.StatsKey;
import io.tokbench.schema.StatsRow;
import io.tokbench.serde.AvroDeserializer;
import io.tokbench.serde.AvroSerializer;
import io.tokbench.testkit.KafkaStack;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The aggregator topology in a {@link TopologyTestDriver}, with the real serde talking to the test
 * stack's registry: reports go in as the agent's bytes, rows come out as consumers decode them.
 */
public final class AggregatorDriver implements AutoCloseable {
  private final TopologyTestDriver driver;
  private final TestInputTopic<byte[], byte[]> reports;
  private final TestInputTopic<byte[], byte[]> retractions;
  private final TestOutputTopic<byte[], RejectedReport> rejected;
  private final TestOutputTopic<StatsKey, StatsRow> stats;
  private final TestOutputTopic<String, CommunityRow> community;
  private final TestOutputTopic<String, CalibrationRecord> calibration;
  private final AvroSerializer<BenchmarkReport> reportSerializer = new AvroSerializer<>();
  private final AvroSerializer<Retraction> retractionSerializer = new AvroSerializer<>();
  private Instant clock;
  private final AggregatorMetrics metrics = new AggregatorMetrics();

  public AggregatorDriver(KafkaStack stack, Path stateDir, Instant wallClock) {
    this(stack, stateDir, wallClock, AggregatorTopology.Settings.DEFAULT);
  }

  public AggregatorDriver(KafkaStack stack, Path stateDir, Instant wallClock, AggregatorTopology.Settings settings) {
    Map<String, Object> serde = Map.of("schema.registry.url", stack.registryUrl());
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "aggregator-test-" + UUID.randomUUID());
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    // The production guard: a step that throws sends its record to the rejected topic.
    props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, RejectFailedRecordHandler.class);
    props.put(RejectFailedRecordHandler.METRICS_CONFIG, metrics);
    props.put("schema.registry.url", stack.registryUrl());
    driver = new TopologyTestDriver(AggregatorTopology.build(serde, settings, metrics), props, wallClock);
    reportSerializer.configure(serde, false);
    retractionSerializer.configure(serde, false);
    // Record timestamps stand for the broker's LogAppendTime: the driver's clock, as it advances.
    this.clock = wallClock;
    reports = driver.createInputTopic(Topics.REPORTS, new ByteArraySerializer(), new ByteArraySerializer(), wallClock, Duration.ZERO);
    retractions = driver.createInputTopic(Topics.RETRACTIONS, new ByteArraySerializer(), new ByteArraySerializer(), wallClock, Duration.ZERO);
    AvroDeserializer<RejectedReport> rejectedValues = new AvroDeserializer<>(RejectedReport.class);
    rejectedValues.configure(serde, false);
    rejected = driver.createOutputTopic(Topics.REJECTED, new ByteArrayDeserializer(), rejectedValues);
    AvroDeserializer<StatsKey> statsKeys = new AvroDeserializer<>(StatsKey.class);
    statsKeys.configure(serde, true);
    AvroDeserializer<StatsRow> statsRows = new AvroDeserializer<>(StatsRow.class);
    statsRows.configure(serde, false);
    stats = driver.createOutputTopic(Topics.STATS, statsKeys, statsRows);
    AvroDeserializer<CommunityRow> communityRows = new AvroDeserializer<>(CommunityRow.class);
    communityRows.configure(serde, false);
    community = driver.createOutputTopic(Topics.COMMUNITY, new StringDeserializer(), communityRows);
    AvroDeserializer<CalibrationRecord> calibrationRecords = new AvroDeserializer<>(CalibrationRecord.class);
    calibrationRecords.configure(serde, false);
    calibration = driver.createOutputTopic(Topics.CALIBRATION, new StringDeserializer(), calibrationRecords);
  }

  /** What POST /api/v1/admin/recalibrate writes (there, one per partition; the driver has one). */
  public void requestRefitOfAllGroups() {
    driver.createInputTopic(Topics.CALIBRATION_POINTS, new StringSerializer(), AggregatorTopology.POINT_SERDE.serializer())
        .pipeInput(CalibrateProcessor.REFIT_ALL, CalibrationPoints.refitAllMarker());
  }

  /** Lets wall-clock punctuations (rows emitted, the calibration refit) run; arrivals are stamped with the new time. */
  public void advanceWallClock(Duration by) {
    // In steps, as time passes: each punctuation fires at most once per advance of the driver, so
    // one long jump would run the calibration's offer and its refit in the same tick.
    Duration step = Duration.ofMillis(500);
    for (Duration left = by; !left.isZero(); left = left.minus(left.compareTo(step) < 0 ? left : step)) {
      driver.advanceWallClockTime(left.compareTo(step) < 0 ? left : step);
    }
    clock = clock.plus(by);
    reports.advanceTime(by);
    retractions.advanceTime(by);
  }

  /** Emits the rows changed so far, as the next emission interval would. */
  public void emitRows() {
    advanceWallClock(AggregatorTopology.Settings.DEFAULT.emitInterval());
  }

  /** The latest calibration per group published to tokbench.calibration. */
  public Map<String, CalibrationRecord> calibrationTopic() {
    return latest(calibration);
  }

  /** What every instance's global calibration store holds. */
  public KeyValueStore<String, CalibrationRecord> calibrationStore() {
    return driver.getKeyValueStore(AggregatorTopology.CALIBRATION_STORE);
  }

  /** Publishes reports exactly as the agent does (Confluent wire format, key rig/model), then lets the rows be emitted. */
  public void publish(BenchmarkReport... sent) {
    for (BenchmarkReport report : sent) {
      String key = report.getRigId() + "/" + report.getModel().getName();
      reports.pipeInput(key.getBytes(), reportSerializer.serialize(Topics.REPORTS, report));
    }
    emitRows();
  }

  /** One report in, without waiting for the emission interval (for runs of many inputs). */
  public void pipe(BenchmarkReport report) {
    reports.pipeInput((report.getRigId() + "/" + report.getModel().getName()).getBytes(), reportSerializer.serialize(Topics.REPORTS, report));
  }

  /** One report in, stamped with the given broker append time. */
  public void pipe(BenchmarkReport report, Instant appendedAt) {
    reports.pipeInput((report.getRigId() + "/" + report.getModel().getName()).getBytes(), reportSerializer.serialize(Topics.REPORTS, report), appendedAt);
  }

  /** One retraction in, stamped with the given broker append time. */
  public void retract(Retraction retraction, Instant appendedAt) {
    retractions.pipeInput(new byte[0], retractionSerializer.serialize(Topics.RETRACTIONS, retraction), appendedAt);
  }

  /** Raw value bytes in, without waiting for the emission interval. */
  public void pipeRaw(byte[] value) {
    reports.pipeInput("raw".getBytes(), value);
  }

  public void publishRaw(byte[] value) {
    reports.pipeInput("poison".getBytes(), value);
    emitRows();
  }

  public void retract(Retraction retraction) {
    retractions.pipeInput(new byte[0], retractionSerializer.serialize(Topics.RETRACTIONS, retraction));
    emitRows();
  }

  /** The counters the instance would export: accepted, rejected by reason, duplicates. */
  public AggregatorMetrics metrics() {
    return metrics;
  }

  public List<RejectedReport> rejected() {
    return rejected.readValuesToList();
  }

  /** The latest row per key published to tokbench.stats (null = tombstone), as a compacted topic keeps it. */
  public Map<StatsKey, StatsRow> statsTopic() {
    return latest(stats);
  }

  public Map<String, CommunityRow> communityTopic() {
    return latest(community);
  }

  private static <K, V> Map<K, V> latest(TestOutputTopic<K, V> topic) {
    Map<K, V> latest = new LinkedHashMap<>();
    for (KeyValue<K, V> kv : topic.readKeyValuesToList()) {
      latest.put(kv.key, kv.value);
    }
    return latest;
  }

  public KeyValueStore<String, StatsRow> statsStore() {
    return driver.getKeyValueStore(AggregatorTopology.STATS_STORE);
  }

  /** Any of the topology's key-value stores, global ones included. */
  public <V> KeyValueStore<String, V> store(String name) {
    return driver.getKeyValueStore(name);
  }

  @Override
  public void close() {
    driver.close();
  }
}
