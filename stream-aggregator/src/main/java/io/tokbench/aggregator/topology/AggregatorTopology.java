package io.tokbench.aggregator.topology;

import io.tokbench.aggregator.aggregate.AggregateProcessor;
import io.tokbench.aggregator.aggregate.DeduplicateProcessor;
import io.tokbench.aggregator.aggregate.RetractionProcessor;
import io.tokbench.aggregator.aggregate.RollUpProcessor;
import io.tokbench.aggregator.app.AggregatorMetrics;
import io.tokbench.aggregator.estimate.CalibrateProcessor;
import io.tokbench.aggregator.estimate.CalibrationFeedProcessor;
import io.tokbench.aggregator.normalize.NormalizeProcessor;
import io.tokbench.aggregator.state.CalibrationPoint;
import io.tokbench.aggregator.state.ContributionEvent;
import io.tokbench.aggregator.state.KeySet;
import io.tokbench.aggregator.state.RigContribution;
import io.tokbench.aggregator.validate.ReportValidator;
import io.tokbench.aggregator.validate.ValidateProcessor;
import io.tokbench.registry.client.RegistryClientConfig;
import io.tokbench.registry.client.SchemaRegistryClient;
import io.tokbench.schema.BenchmarkReport;
import io.tokbench.schema.CalibrationRecord;
import io.tokbench.schema.CommunityRow;
import io.tokbench.schema.RejectedReport;
import io.tokbench.schema.Retraction;
import io.tokbench.schema.StatsKey;
import io.tokbench.schema.StatsRow;
import io.tokbench.serde.AvroDeserializer;
import io.tokbench.serde.AvroSerializer;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The aggregator's topology, in one place.
 *
 * <pre>
 *  tokbench.reports ─▶ validate ─┬─▶ rejected-sink ─▶ tokbench.reports.rejected
 *   (raw bytes)                  └─▶ deduplicate ─▶ normalize ─┐
 *  tokbench.retractions ─▶ retract ────────────────────────────┴─▶ contributions-sink
 *                                                                   │ (re-keyed by model;
 *                                                                   │  retractions to all partitions)
 *  tokbench.aggregator.contributions ─▶ aggregate ─┬─▶ stats-sink ─▶ tokbench.stats
 *                                                  ├─▶ roll-up ─▶ community-sink ─▶ tokbench.community
 *                                                  └─▶ calibration-feed ─▶ calibration-points-sink
 *                                                        (one point per calibration group of the row)
 *  tokbench.aggregator.calibration-points ─▶ calibrate (refit changed groups every interval)
 *                                              └─▶ calibration-sink ─▶ tokbench.calibration
 *  tokbench.calibration ─▶ calibration-global (a global store: every instance estimates with it)
 * </pre>
 */
public final class AggregatorTopology {
  public static final String REPORTS_SOURCE = "reports-source";
  public static final String VALIDATE = "validate";
  public static final String REJECTED_SINK = "rejected-sink";
  public static final String DEDUPLICATE = "deduplicate";
  public static final String NORMALIZE = "normalize";
  public static final String RETRACTIONS_SOURCE = "retractions-source";
  public static final String RETRACT = "retract";
  public static final String CONTRIBUTIONS_SINK = "contributions-sink";
  public static final String CONTRIBUTIONS_SOURCE = "contributions-source";
  public static final String AGGREGATE = "aggregate";
  public static final String STATS_SINK = "stats-sink";
  public static final String ROLL_UP = "roll-up";
  public static final String COMMUNITY_SINK = "community-sink";
  public static final String CALIBRATION_FEED = "calibration-feed";
  public static final String CALIBRATION_POINTS_SINK = "calibration-points-sink";
  public static final String CALIBRATION_POINTS_SOURCE = "calibration-points-source";
  public static final String CALIBRATE = "calibrate";
  public static final String CALIBRATION_SINK = "calibration-sink";
  public static final String CALIBRATION_GLOBAL_SOURCE = "calibration-global-source";
  public static final String CALIBRATION_GLOBAL = "calibration-global";

  public static final String REPORT_IDS_STORE = "report-ids";
  public static final String CONTRIBUTIONS_STORE = "rig-contributions";
  public static final String STATS_STORE = "stats";
  public static final String REPORT_INDEX_STORE = "report-index";
  public static final String RIG_INDEX_STORE = "rig-index";
  public static final String COMMUNITY_STORE = "community";
  public static final String CALIBRATION_MEMBERSHIP_STORE = "calibration-membership";
  public static final String CALIBRATION_POINTS_STORE = "calibration-points";
  /** Global: the current calibration of every group, on every instance. */
  public static final String CALIBRATION_STORE = "calibration";

  public static final Serde<RigContribution> CONTRIBUTION_SERDE = new StateSerde<>(RigContribution.class);
  public static final Serde<StatsRow> STATS_ROW_SERDE = new StateSerde<>(StatsRow.class);
  public static final Serde<CommunityRow> COMMUNITY_ROW_SERDE = new StateSerde<>(CommunityRow.class);
  public static final Serde<CalibrationRecord> CALIBRATION_SERDE = new StateSerde<>(CalibrationRecord.class);
  static final Serde<ContributionEvent> EVENT_SERDE = new StateSerde<>(ContributionEvent.class);
  static final Serde<KeySet> KEY_SET_SERDE = new StateSerde<>(KeySet.class);
  public static final Serde<CalibrationPoint> POINT_SERDE = new StateSerde<>(CalibrationPoint.class);

  /**
   * Tunables of the topology.
   *
   * @param deduplicationWindow how long a report id is remembered; a resend later than this counts again
   * @param maxClockSkew how far in the future a measuredAt may lie (agents' clocks drift)
   * @param maxReportAge reports measured longer ago are refused as too old
   * @param calibrationInterval how often changed calibration groups are refitted
   */
  public record Settings(Duration deduplicationWindow, Duration maxClockSkew, Duration maxReportAge, Duration calibrationInterval) {
    public static final Settings DEFAULT = new Settings(Duration.ofDays(7), Duration.ofMinutes(10), Duration.ofDays(365), Duration.ofSeconds(5));
  }

  private AggregatorTopology() {}

  /** @param serdeConfig schema.registry.url and the registry client's other keys */
  public static Topology build(Map<String, ?> serdeConfig, Settings settings, AggregatorMetrics metrics) {
    SchemaRegistryClient registry = new SchemaRegistryClient(RegistryClientConfig.fromConfigs(serdeConfig));
    AvroDeserializer<BenchmarkReport> reports = new AvroDeserializer<>(BenchmarkReport.class, registry);
    AvroDeserializer<Retraction> retractions = new AvroDeserializer<>(Retraction.class, registry);
    ReportValidator validator = new ReportValidator(settings.maxClockSkew(), settings.maxReportAge());

    Topology topology = new Topology();
    topology.addSource(REPORTS_SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(), Topics.REPORTS);
    topology.addProcessor(VALIDATE, () -> new ValidateProcessor(reports, validator, metrics, DEDUPLICATE, REJECTED_SINK), REPORTS_SOURCE);
    topology.addSink(REJECTED_SINK, Topics.REJECTED, new ByteArraySerializer(), serializer(registry, serdeConfig, false, RejectedReport.class), VALIDATE);
    topology.addProcessor(DEDUPLICATE, () -> new DeduplicateProcessor(REPORT_IDS_STORE, settings.deduplicationWindow()), VALIDATE);
    topology.addProcessor(NORMALIZE, NormalizeProcessor::new, DEDUPLICATE);

    topology.addSource(RETRACTIONS_SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(), Topics.RETRACTIONS);
    topology.addProcessor(RETRACT, () -> new RetractionProcessor(retractions), RETRACTIONS_SOURCE);

    topology.addSink(CONTRIBUTIONS_SINK, Topics.CONTRIBUTIONS, new StringSerializer(), EVENT_SERDE.serializer(), new ContributionPartitioner(), NORMALIZE, RETRACT);
    topology.addSource(CONTRIBUTIONS_SOURCE, new StringDeserializer(), EVENT_SERDE.deserializer(), Topics.CONTRIBUTIONS);
    topology.addProcessor(AGGREGATE, () -> new AggregateProcessor(CONTRIBUTIONS_STORE, STATS_STORE, REPORT_INDEX_STORE, RIG_INDEX_STORE), CONTRIBUTIONS_SOURCE);
    topology.addSink(STATS_SINK, Topics.STATS, serializer(registry, serdeConfig, true, StatsKey.class), serializer(registry, serdeConfig, false, StatsRow.class), AGGREGATE);
    topology.addProcessor(ROLL_UP, () -> new RollUpProcessor(STATS_STORE, COMMUNITY_STORE), AGGREGATE);
    topology.addSink(COMMUNITY_SINK, Topics.COMMUNITY, new StringSerializer(), serializer(registry, serdeConfig, false, CommunityRow.class), ROLL_UP);

    topology.addProcessor(CALIBRATION_FEED, () -> new CalibrationFeedProcessor(CALIBRATION_MEMBERSHIP_STORE), AGGREGATE);
    topology.addSink(CALIBRATION_POINTS_SINK, Topics.CALIBRATION_POINTS, new StringSerializer(), POINT_SERDE.serializer(), CALIBRATION_FEED);
    topology.addSource(CALIBRATION_POINTS_SOURCE, new StringDeserializer(), POINT_SERDE.deserializer(), Topics.CALIBRATION_POINTS);
    topology.addProcessor(CALIBRATE, () -> new CalibrateProcessor(CALIBRATION_POINTS_STORE, CALIBRATION_STORE, settings.calibrationInterval()), CALIBRATION_POINTS_SOURCE);
    topology.addSink(CALIBRATION_SINK, Topics.CALIBRATION, new StringSerializer(), serializer(registry, serdeConfig, false, CalibrationRecord.class), CALIBRATE);
    AvroDeserializer<CalibrationRecord> calibrations = new AvroDeserializer<>(CalibrationRecord.class, registry);
    topology.addGlobalStore(
        Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(CALIBRATION_STORE), Serdes.String(), CALIBRATION_SERDE).withLoggingDisabled(),
        CALIBRATION_GLOBAL_SOURCE, new StringDeserializer(), calibrations, Topics.CALIBRATION, CALIBRATION_GLOBAL,
        () -> new GlobalTableProcessor<>(CALIBRATION_STORE));

    // Caches coalesce repeated updates of a key into one changelog write per commit.
    Duration window = settings.deduplicationWindow();
    topology.addStateStore(Stores.windowStoreBuilder(Stores.persistentWindowStore(REPORT_IDS_STORE, window, window, false), Serdes.String(), Serdes.Long()), DEDUPLICATE);
    topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(CONTRIBUTIONS_STORE), Serdes.String(), CONTRIBUTION_SERDE).withCachingEnabled(), AGGREGATE);
    topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STATS_STORE), Serdes.String(), STATS_ROW_SERDE).withCachingEnabled(), AGGREGATE, ROLL_UP);
    topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(REPORT_INDEX_STORE), Serdes.String(), Serdes.String()).withCachingEnabled(), AGGREGATE);
    topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(RIG_INDEX_STORE), Serdes.String(), KEY_SET_SERDE).withCachingEnabled(), AGGREGATE);
    topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(CALIBRATION_MEMBERSHIP_STORE), Serdes.String(), KEY_SET_SERDE).withCachingEnabled(), CALIBRATION_FEED);
    topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(CALIBRATION_POINTS_STORE), Serdes.String(), POINT_SERDE).withCachingEnabled(), CALIBRATE);
    topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(COMMUNITY_STORE), Serdes.String(), COMMUNITY_ROW_SERDE).withCachingEnabled(), ROLL_UP);
    return topology;
  }

  private static <T extends org.apache.avro.specific.SpecificRecord> AvroSerializer<T> serializer(
      SchemaRegistryClient registry, Map<String, ?> serdeConfig, boolean isKey, Class<T> type) {
    AvroSerializer<T> serializer = new AvroSerializer<>(registry);
    serializer.configure(serdeConfig, isKey);
    return serializer;
  }
}
