package io.tokbench.aggregator.topology;

import io.tokbench.aggregator.aggregate.AggregateProcessor;
import io.tokbench.aggregator.aggregate.GpuRigCountProcessor;
import io.tokbench.aggregator.aggregate.RetractionProcessor;
import io.tokbench.aggregator.aggregate.RollUpProcessor;
import io.tokbench.aggregator.aggregate.RowChanges;
import io.tokbench.aggregator.app.AggregatorMetrics;
import io.tokbench.aggregator.estimate.CalibrateProcessor;
import io.tokbench.aggregator.estimate.CalibrationFeedProcessor;
import io.tokbench.aggregator.normalize.NormalizeProcessor;
import io.tokbench.aggregator.state.CalibrationPoint;
import io.tokbench.aggregator.state.ContributionEvent;
import io.tokbench.aggregator.state.GpuRigPresence;
import io.tokbench.aggregator.state.KeySet;
import io.tokbench.aggregator.state.RigContribution;
import io.tokbench.aggregator.state.RigSummary;
import io.tokbench.aggregator.state.Tally;
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
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.LongSerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The aggregator's topology, in one place.
 *
 * <pre>
 *  tokbench.reports ─▶ validate ─┬─▶ rejected-sink ─▶ tokbench.reports.rejected
 *   (raw bytes)                  └─▶ normalize ─┐
 *  tokbench.retractions ─▶ retract ─────────────┴─▶ contributions-sink
 *                                                    │ (re-keyed by model;
 *                                                    │  retractions to all partitions)
 *  tokbench.aggregator.contributions ─▶ aggregate ─┬─▶ stats-sink ─▶ tokbench.stats
 *   (de-duplicate, refuse the retracted,           ├─▶ roll-up ─▶ community-sink ─▶ tokbench.community
 *    update rig windows and row statistics;        ├─▶ calibration-feed ─▶ calibration-points-sink
 *    changed rows emitted once per interval;       │     (one point per calibration group of the row)
 *    each model's and GPU's tally kept)            ├─▶ gpu-rig-presence-sink (a rig began or ceased to
 *                                                  │     contribute to a GPU's rows in this partition)
 *                                                  └─▶ refused-sink ─▶ tokbench.reports.rejected
 *  tokbench.aggregator.calibration-points ─▶ calibrate (refit changed groups every interval)
 *                                              └─▶ calibration-sink ─▶ tokbench.calibration
 *  tokbench.calibration ─▶ calibration-global (a global store: every instance estimates with it)
 *  tokbench.aggregator.gpu-rig-presence ─▶ count-gpu-rigs (distinct rigs per GPU over all partitions)
 *                                            └─▶ gpu-rigs-sink ─▶ tokbench.aggregator.gpu-rigs
 *  tokbench.aggregator.gpu-rigs ─▶ gpu-rigs-global (a global store: every instance answers /gpus with it)
 * </pre>
 */
public final class AggregatorTopology {
  public static final String REPORTS_SOURCE = "reports-source";
  public static final String VALIDATE = "validate";
  public static final String REJECTED_SINK = "rejected-sink";
  public static final String NORMALIZE = "normalize";
  public static final String RETRACTIONS_SOURCE = "retractions-source";
  public static final String RETRACT = "retract";
  public static final String CONTRIBUTIONS_SINK = "contributions-sink";
  public static final String CONTRIBUTIONS_SOURCE = "contributions-source";
  public static final String AGGREGATE = "aggregate";
  public static final String STATS_SINK = "stats-sink";
  public static final String REFUSED_SINK = "refused-sink";
  public static final String ROLL_UP = "roll-up";
  public static final String COMMUNITY_SINK = "community-sink";
  public static final String CALIBRATION_FEED = "calibration-feed";
  public static final String CALIBRATION_POINTS_SINK = "calibration-points-sink";
  public static final String CALIBRATION_POINTS_SOURCE = "calibration-points-source";
  public static final String CALIBRATE = "calibrate";
  public static final String CALIBRATION_SINK = "calibration-sink";
  public static final String CALIBRATION_GLOBAL_SOURCE = "calibration-global-source";
  public static final String CALIBRATION_GLOBAL = "calibration-global";
  public static final String GPU_RIG_PRESENCE_SINK = "gpu-rig-presence-sink";
  public static final String GPU_RIG_PRESENCE_SOURCE = "gpu-rig-presence-source";
  public static final String COUNT_GPU_RIGS = "count-gpu-rigs";
  public static final String GPU_RIGS_SINK = "gpu-rigs-sink";
  public static final String GPU_RIGS_GLOBAL_SOURCE = "gpu-rigs-global-source";
  public static final String GPU_RIGS_GLOBAL = "gpu-rigs-global";

  /** Each rig's window of samples per row (statistics key + rig). */
  public static final String CONTRIBUTIONS_STORE = "rig-contributions";
  /** Each rig's summary per row: what the row's order statistics hold for it. */
  public static final String RIG_SUMMARIES_STORE = "rig-summaries";
  public static final String STATS_STORE = "stats";
  /** Report ids (de-duplication, report retraction) and each rig's rows (rig retraction, row cap). */
  public static final String CONTRIBUTION_INDEX_STORE = "contribution-index";
  /** Retracted rigs and reports, remembered so their later reports are refused. */
  public static final String RETRACTIONS_STORE = "retractions";
  /** Rows changed since they were last emitted. */
  public static final String DIRTY_ROWS_STORE = "dirty-rows";
  public static final String COMMUNITY_STORE = "community";
  /** Per model and per GPU: the partition's rows, reports and distinct rigs ({@link io.tokbench.aggregator.aggregate.PartitionTallies}). */
  public static final String TALLIES_STORE = "tallies";
  /** Which rigs contribute to each GPU in which partitions, and each GPU's distinct rigs. */
  public static final String GPU_RIG_MEMBERSHIP_STORE = "gpu-rig-membership";
  /** Global: each GPU's distinct rigs over every partition, on every instance. */
  public static final String GPU_RIGS_STORE = "gpu-rigs";
  public static final String CALIBRATION_MEMBERSHIP_STORE = "calibration-membership";
  /** Each group's points in sampling-rank order ({@link io.tokbench.aggregator.estimate.CalibrateProcessor}); renamed when that key layout came. */
  public static final String CALIBRATION_POINTS_STORE = "calibration-points-by-rank";
  /** Global: the current calibration of every group, on every instance. */
  public static final String CALIBRATION_STORE = "calibration";

  public static final Serde<RigContribution> CONTRIBUTION_SERDE = new StateSerde<>(RigContribution.class);
  public static final Serde<RigSummary> RIG_SUMMARY_SERDE = new StateSerde<>(RigSummary.class);
  public static final Serde<StatsRow> STATS_ROW_SERDE = new StateSerde<>(StatsRow.class);
  public static final Serde<CommunityRow> COMMUNITY_ROW_SERDE = new StateSerde<>(CommunityRow.class);
  public static final Serde<CalibrationRecord> CALIBRATION_SERDE = new StateSerde<>(CalibrationRecord.class);
  static final Serde<ContributionEvent> EVENT_SERDE = new StateSerde<>(ContributionEvent.class);
  static final Serde<KeySet> KEY_SET_SERDE = new StateSerde<>(KeySet.class);
  public static final Serde<CalibrationPoint> POINT_SERDE = new StateSerde<>(CalibrationPoint.class);
  public static final Serde<Tally> TALLY_SERDE = new StateSerde<>(Tally.class);
  static final Serde<GpuRigPresence> PRESENCE_SERDE = new StateSerde<>(GpuRigPresence.class);

  /**
   * Tunables of the topology.
   *
   * @param maxClockSkew how far after its arrival at the broker a report's measuredAt may lie (agents' clocks drift)
   * @param maxReportAge reports measured longer before their arrival are refused as too old
   * @param calibrationInterval how often changed calibration groups are refitted
   * @param emitInterval how often rows changed since the last emission are emitted (about the commit interval)
   * @param maxRowsPerRig how many rows one rig may contribute to within one partition
   * @param maxCalibrationGroups how many calibration groups one partition keeps
   * @param rowCacheBytes heap for the order statistics of rows being aggregated, per task
   */
  public record Settings(Duration maxClockSkew, Duration maxReportAge, Duration calibrationInterval, Duration emitInterval,
      int maxRowsPerRig, int maxCalibrationGroups, long rowCacheBytes) {
    public static final Settings DEFAULT = new Settings(Duration.ofMinutes(10), Duration.ofDays(365), Duration.ofSeconds(5), Duration.ofMillis(100),
        1_000, 1_000, 32L << 20);

    public Settings withCalibrationInterval(Duration interval) {
      return new Settings(maxClockSkew, maxReportAge, interval, emitInterval, maxRowsPerRig, maxCalibrationGroups, rowCacheBytes);
    }

    public Settings withMaxRowsPerRig(int rows) {
      return new Settings(maxClockSkew, maxReportAge, calibrationInterval, emitInterval, rows, maxCalibrationGroups, rowCacheBytes);
    }
  }

  private AggregatorTopology() {}

  /** @param serdeConfig schema.registry.url and the registry client's other keys */
  public static Topology build(Map<String, ?> serdeConfig, Settings settings, AggregatorMetrics metrics) {
    return build(serdeConfig, settings, metrics, new RowChanges());
  }

  /** @param changes where the aggregate tells this instance's queries that a model's rows changed */
  public static Topology build(Map<String, ?> serdeConfig, Settings settings, AggregatorMetrics metrics, RowChanges changes) {
    SchemaRegistryClient registry = new SchemaRegistryClient(RegistryClientConfig.fromConfigs(serdeConfig));
    AvroDeserializer<BenchmarkReport> reports = new AvroDeserializer<>(BenchmarkReport.class, registry);
    AvroDeserializer<Retraction> retractions = new AvroDeserializer<>(Retraction.class, registry);
    ReportValidator validator = new ReportValidator(settings.maxClockSkew(), settings.maxReportAge());
    AvroSerializer<RejectedReport> rejections = serializer(registry, serdeConfig, false, RejectedReport.class);

    Topology topology = new Topology();
    topology.addSource(REPORTS_SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(), Topics.REPORTS);
    topology.addProcessor(VALIDATE, () -> new ValidateProcessor(reports, validator, metrics, NORMALIZE, REJECTED_SINK), REPORTS_SOURCE);
    topology.addSink(REJECTED_SINK, Topics.REJECTED, new ByteArraySerializer(), rejections, VALIDATE);
    topology.addProcessor(NORMALIZE, NormalizeProcessor::new, VALIDATE);

    topology.addSource(RETRACTIONS_SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(), Topics.RETRACTIONS);
    topology.addProcessor(RETRACT, () -> new RetractionProcessor(retractions), RETRACTIONS_SOURCE);

    topology.addSink(CONTRIBUTIONS_SINK, Topics.CONTRIBUTIONS, new StringSerializer(), EVENT_SERDE.serializer(), new ContributionPartitioner(), NORMALIZE, RETRACT);
    topology.addSource(CONTRIBUTIONS_SOURCE, new StringDeserializer(), EVENT_SERDE.deserializer(), Topics.CONTRIBUTIONS);
    AggregateProcessor.Stores aggregateStores = new AggregateProcessor.Stores(
        CONTRIBUTIONS_STORE, RIG_SUMMARIES_STORE, CONTRIBUTION_INDEX_STORE, RETRACTIONS_STORE, DIRTY_ROWS_STORE, STATS_STORE, TALLIES_STORE);
    AggregateProcessor.Limits limits =
        new AggregateProcessor.Limits(settings.emitInterval(), settings.calibrationInterval(), settings.maxRowsPerRig(), settings.rowCacheBytes());
    topology.addProcessor(AGGREGATE, () -> new AggregateProcessor(aggregateStores, limits, List.of(STATS_SINK, ROLL_UP), CALIBRATION_FEED, REFUSED_SINK, GPU_RIG_PRESENCE_SINK,
        metrics, changes),
        CONTRIBUTIONS_SOURCE);
    topology.addSink(STATS_SINK, Topics.STATS, serializer(registry, serdeConfig, true, StatsKey.class), serializer(registry, serdeConfig, false, StatsRow.class), AGGREGATE);
    topology.addSink(REFUSED_SINK, Topics.REJECTED, new ByteArraySerializer(), rejections, AGGREGATE);
    topology.addProcessor(ROLL_UP, () -> new RollUpProcessor(STATS_STORE, COMMUNITY_STORE), AGGREGATE);
    topology.addSink(COMMUNITY_SINK, Topics.COMMUNITY, new StringSerializer(), serializer(registry, serdeConfig, false, CommunityRow.class), ROLL_UP);

    topology.addSink(GPU_RIG_PRESENCE_SINK, Topics.GPU_RIG_PRESENCE, new StringSerializer(), PRESENCE_SERDE.serializer(), AGGREGATE);
    topology.addSource(GPU_RIG_PRESENCE_SOURCE, new StringDeserializer(), PRESENCE_SERDE.deserializer(), Topics.GPU_RIG_PRESENCE);
    topology.addProcessor(COUNT_GPU_RIGS, () -> new GpuRigCountProcessor(GPU_RIG_MEMBERSHIP_STORE), GPU_RIG_PRESENCE_SOURCE);
    topology.addSink(GPU_RIGS_SINK, Topics.GPU_RIGS, new StringSerializer(), new LongSerializer(), COUNT_GPU_RIGS);
    topology.addGlobalStore(
        Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(GPU_RIGS_STORE), Serdes.String(), Serdes.Long()).withLoggingDisabled(),
        GPU_RIGS_GLOBAL_SOURCE, new StringDeserializer(), new LongDeserializer(), Topics.GPU_RIGS, GPU_RIGS_GLOBAL,
        () -> new GlobalTableProcessor<>(GPU_RIGS_STORE));

    topology.addProcessor(CALIBRATION_FEED, () -> new CalibrationFeedProcessor(CALIBRATION_MEMBERSHIP_STORE), AGGREGATE);
    topology.addSink(CALIBRATION_POINTS_SINK, Topics.CALIBRATION_POINTS, new StringSerializer(), POINT_SERDE.serializer(), CALIBRATION_FEED);
    topology.addSource(CALIBRATION_POINTS_SOURCE, new StringDeserializer(), POINT_SERDE.deserializer(), Topics.CALIBRATION_POINTS);
    topology.addProcessor(CALIBRATE, () -> new CalibrateProcessor(CALIBRATION_POINTS_STORE, CALIBRATION_STORE, settings.calibrationInterval(), settings.maxCalibrationGroups()),
        CALIBRATION_POINTS_SOURCE);
    topology.addSink(CALIBRATION_SINK, Topics.CALIBRATION, new StringSerializer(), serializer(registry, serdeConfig, false, CalibrationRecord.class), CALIBRATE);
    AvroDeserializer<CalibrationRecord> calibrations = new AvroDeserializer<>(CalibrationRecord.class, registry);
    topology.addGlobalStore(
        Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(CALIBRATION_STORE), Serdes.String(), CALIBRATION_SERDE).withLoggingDisabled(),
        CALIBRATION_GLOBAL_SOURCE, new StringDeserializer(), calibrations, Topics.CALIBRATION, CALIBRATION_GLOBAL,
        () -> new GlobalTableProcessor<>(CALIBRATION_STORE));

    // Caches coalesce repeated updates of a key into one changelog write per commit.
    topology.addStateStore(keyValue(CONTRIBUTIONS_STORE, CONTRIBUTION_SERDE), AGGREGATE);
    topology.addStateStore(keyValue(RIG_SUMMARIES_STORE, RIG_SUMMARY_SERDE), AGGREGATE);
    topology.addStateStore(keyValue(CONTRIBUTION_INDEX_STORE, Serdes.String()), AGGREGATE);
    topology.addStateStore(keyValue(RETRACTIONS_STORE, Serdes.String()), AGGREGATE);
    topology.addStateStore(keyValue(DIRTY_ROWS_STORE, Serdes.String()), AGGREGATE);
    topology.addStateStore(keyValue(STATS_STORE, STATS_ROW_SERDE), AGGREGATE, ROLL_UP);
    topology.addStateStore(keyValue(TALLIES_STORE, TALLY_SERDE), AGGREGATE);
    topology.addStateStore(keyValue(GPU_RIG_MEMBERSHIP_STORE, Serdes.String()), COUNT_GPU_RIGS);
    topology.addStateStore(keyValue(CALIBRATION_MEMBERSHIP_STORE, KEY_SET_SERDE), CALIBRATION_FEED);
    // Not cached: a point is written once per offer, seconds apart, so a cache coalesces nothing, and
    // the points of every changed row (eight groups each) evicted the other stores' entries from it.
    topology.addStateStore(keyValue(CALIBRATION_POINTS_STORE, POINT_SERDE).withCachingDisabled(), CALIBRATE);
    topology.addStateStore(keyValue(COMMUNITY_STORE, COMMUNITY_ROW_SERDE), ROLL_UP);
    return topology;
  }

  private static <V> StoreBuilder<KeyValueStore<String, V>> keyValue(String name, Serde<V> values) {
    return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(), values).withCachingEnabled();
  }

  private static <T extends org.apache.avro.specific.SpecificRecord> AvroSerializer<T> serializer(
      SchemaRegistryClient registry, Map<String, ?> serdeConfig, boolean isKey, Class<T> type) {
    AvroSerializer<T> serializer = new AvroSerializer<>(registry);
    serializer.configure(serdeConfig, isKey);
    return serializer;
  }
}
