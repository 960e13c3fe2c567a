package io.tokbench.aggregator.aggregate;

import io.tokbench.aggregator.normalize.StatsKeys;
import io.tokbench.normalize.Normalization;
import io.tokbench.schema.CommunityRow;
import io.tokbench.schema.StatsKey;
import io.tokbench.schema.StatsRow;
import java.util.Comparator;
import java.util.Optional;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The community view: when a row changes, re-picks its model-and-GPU's best-supported setup (most
 * rigs; then most reports; then the smallest key, so every instance picks the same) and forwards
 * it, keyed "model|gpu|gpuCount", or a tombstone when the GPU has no rows left for the model.
 */
public final class RollUpProcessor extends ContextualProcessor<StatsKey, StatsRow, String, CommunityRow> {
  private static final Comparator<KeyValue<String, StatsRow>> BEST =
      Comparator.<KeyValue<String, StatsRow>>comparingInt(kv -> kv.value.getRigCount())
          .thenComparingLong(kv -> kv.value.getReportCount())
          .thenComparing(kv -> kv.key, Comparator.reverseOrder());

  private final String statsStore;
  private final String communityStore;
  private KeyValueStore<String, StatsRow> stats;
  private KeyValueStore<String, CommunityRow> community;

  public RollUpProcessor(String statsStore, String communityStore) {
    this.statsStore = statsStore;
    this.communityStore = communityStore;
  }

  @Override
  public void init(ProcessorContext<String, CommunityRow> context) {
    super.init(context);
    stats = context.getStateStore(statsStore);
    community = context.getStateStore(communityStore);
  }

  public static String communityKey(String model, String gpu, int gpuCount) {
    return communityPrefix(model) + gpu + "|" + gpuCount;
  }

  /** Prefix of every community row of a model. */
  public static String communityPrefix(String model) {
    return model + "|";
  }

  @Override
  public void process(Record<StatsKey, StatsRow> record) {
    StatsKey changed = record.key();
    String communityKey = communityKey(changed.getModel(), changed.getGpu(), changed.getGpuCount());
    Optional<KeyValue<String, StatsRow>> best = Optional.empty();
    try (KeyValueIterator<String, StatsRow> it = stats.prefixScan(StatsKeys.gpuPrefix(changed.getModel(), changed.getGpu(), changed.getGpuCount()), Serdes.String().serializer())) {
      while (it.hasNext()) {
        KeyValue<String, StatsRow> candidate = it.next();
        if (best.isEmpty() || BEST.compare(candidate, best.get()) > 0) {
          best = Optional.of(candidate);
        }
      }
    }
    if (best.isEmpty()) {
      community.delete(communityKey);
      context().forward(new Record<>(communityKey, null, record.timestamp()));
      return;
    }
    StatsRow row = best.get().value;
    StatsKey key = row.getKey();
    CommunityRow view = CommunityRow.newBuilder()
        .setModel(key.getModel())
        .setGpu(key.getGpu())
        .setGpuCount(key.getGpuCount())
        .setMedianTokensPerSecond(row.getGenerationTokensPerSecond().getMedian())
        .setReportCount(row.getReportCount())
        .setRigCount(row.getRigCount())
        .setTypicalSetup(Normalization.setupLabel(key.getQuantization(), key.getRuntime(), row.getTypicalSetup().getOs(), key.getContextBucket()))
        .setQuantization(key.getQuantization())
        .setRuntime(key.getRuntime())
        .setContextBucket(key.getContextBucket())
        .setSuiteId(key.getSuiteId())
        .setOffloadClass(key.getOffloadClass().name())
        .setConcurrency(key.getConcurrency())
        .build();
    if (!view.equals(community.get(communityKey))) {
      community.put(communityKey, view);
      context().forward(new Record<>(communityKey, view, record.timestamp()));
    }
  }
}
