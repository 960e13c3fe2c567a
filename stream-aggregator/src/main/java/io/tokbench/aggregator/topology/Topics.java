package io.tokbench.aggregator.topology;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.TopicConfig;

/** Every topic the aggregator reads or writes, with its partitions and configuration, in one place. */
public final class Topics {
  public static final String REPORTS = "tokbench.reports";
  public static final String REJECTED = "tokbench.reports.rejected";
  public static final String RETRACTIONS = "tokbench.retractions";
  public static final String STATS = "tokbench.stats";
  public static final String COMMUNITY = "tokbench.community";
  /** Accepted samples re-keyed by model, so one model's rows (and its roll-up) live in one task. */
  public static final String CONTRIBUTIONS = "tokbench.aggregator.contributions";
  /** Estimator calibration per group, compacted: what `recalibrate` exports and every instance loads. */
  public static final String CALIBRATION = "tokbench.calibration";
  /** Statistics rows as calibration points, keyed by calibration group. */
  public static final String CALIBRATION_POINTS = "tokbench.aggregator.calibration-points";
  /** Whether a rig contributes to a GPU's rows in a partition of the aggregate, keyed by GPU. */
  public static final String GPU_RIG_PRESENCE = "tokbench.aggregator.gpu-rig-presence";
  /** Each GPU's distinct rigs, compacted: what every instance's {@code /gpus} counts rigs with. */
  public static final String GPU_RIGS = "tokbench.aggregator.gpu-rigs";

  private Topics() {}

  /**
   * How many replicas must hold a write before it is acknowledged, for a replication factor: with
   * three or more, two, so one broker can be lost without stopping the pipeline and no
   * acknowledged write ever lives in a single copy; with fewer, one (no broker may be lost anyway).
   */
  public static int minInSyncReplicas(short replicationFactor) {
    return replicationFactor >= 3 ? 2 : 1;
  }

  /** A topic as the aggregator needs it. */
  public record Spec(String name, int partitions, Map<String, String> configs) {}

  /**
   * The topics, partitioned alike so the contributions topic has as many tasks as the input. The
   * tables are compacted (latest row per key); reports are kept forever, stamped with the broker's
   * append time (the time every rule about a report's age uses, so re-processing the topic later
   * judges each report as it was judged the first time); retractions are compacted (the latest word
   * on each rig or report: retracted, or lifted) and kept forever; rejections, contributions,
   * calibration points and rig presences 90 days.
   */
  public static List<Spec> all(int partitions) {
    Map<String, String> compacted = Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
    Map<String, String> kept90Days = Map.of(TopicConfig.RETENTION_MS_CONFIG, String.valueOf(90L * 24 * 3600 * 1000));
    return List.of(
        new Spec(REPORTS, partitions, Map.of(TopicConfig.RETENTION_MS_CONFIG, "-1", TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime")),
        new Spec(RETRACTIONS, partitions, Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT, TopicConfig.RETENTION_MS_CONFIG, "-1",
            TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime")),
        new Spec(REJECTED, partitions, kept90Days),
        new Spec(CONTRIBUTIONS, partitions, kept90Days),
        new Spec(STATS, partitions, compacted),
        new Spec(COMMUNITY, partitions, compacted),
        new Spec(CALIBRATION_POINTS, partitions, kept90Days),
        new Spec(CALIBRATION, partitions, compacted),
        new Spec(GPU_RIG_PRESENCE, partitions, kept90Days),
        new Spec(GPU_RIGS, partitions, compacted));
  }
}
