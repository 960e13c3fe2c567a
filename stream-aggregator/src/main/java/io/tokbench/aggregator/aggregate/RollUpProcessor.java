package io.tokbench.aggregator.aggregate;

import io.tokbench.aggregator.normalize.StatsKeys;
import io.tokbench.normalize.Normalization;
import io.tokbench.schema.CommunityRow;
import io.tokbench.schema.OffloadClass;
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
 * it, keyed "model|gpu|gpuCount", or a tombstone when the GPU has no rows left for the model. The
 * changed row is ranked against the current best alone; the model's other rows on that GPU are read
 * only when a row is deleted or the best row itself lost rigs or reports, so a popular GPU's many
 * setups cost nothing per report.
 */
public final class RollUpProcessor extends ContextualProcessor<StatsKey, StatsRow, String, CommunityRow> {
  /** How well a setup is supported: more rigs, then more reports, then the smaller encoded key wins. */
  private record Support(int rigs, long reports, String key) implements Comparable<Support> {
    private static final Comparator<Support> ORDER =
        Comparator.comparingInt(Support::rigs).thenComparingLong(Support::reports).thenComparing(Support::key, Comparator.reverseOrder());

    static Support of(KeyValue<String, StatsRow> row) {
      return new Support(row.value.getRigCount(), row.value.getReportCount(), row.key);
    }

    @Override
    public int compareTo(Support other) {
      return ORDER.compare(this, other);
    }
  }

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
    CommunityRow current = community.get(communityKey);
    Optional<KeyValue<String, StatsRow>> best;
    if (record.value() == null) {
      best = scan(changed); // a row gone: the next best is among the others
    } else if (current == null) {
      best = Optional.of(KeyValue.pair(StatsKeys.encode(changed), record.value())); // the first row of this model on this GPU
    } else {
      // Rows reach this processor only through it, so the view's counts are its best row's latest.
      KeyValue<String, StatsRow> candidate = KeyValue.pair(StatsKeys.encode(changed), record.value());
      String currentKey = StatsKeys.encode(keyOf(current));
      if (candidate.key.equals(currentKey)) {
        boolean shrank = candidate.value.getRigCount() < current.getRigCount() || candidate.value.getReportCount() < current.getReportCount();
        best = shrank ? scan(changed) : Optional.of(candidate); // only a best row that lost rigs or reports needs the others read
      } else if (Support.of(candidate).compareTo(new Support(current.getRigCount(), current.getReportCount(), currentKey)) > 0) {
        best = Optional.of(candidate);
      } else {
        return; // the best setup is still the current one
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
        .setBackend(key.getBackend())
        .build();
    if (!view.equals(community.get(communityKey))) {
      community.put(communityKey, view);
      context().forward(new Record<>(communityKey, view, record.timestamp()));
    }
  }

  private Optional<KeyValue<String, StatsRow>> scan(StatsKey changed) {
    Optional<KeyValue<String, StatsRow>> best = Optional.empty();
    try (KeyValueIterator<String, StatsRow> it = stats.prefixScan(StatsKeys.gpuPrefix(changed.getModel(), changed.getGpu(), changed.getGpuCount()), Serdes.String().serializer())) {
      while (it.hasNext()) {
        KeyValue<String, StatsRow> candidate = it.next();
        if (best.isEmpty() || Support.of(candidate).compareTo(Support.of(best.get())) > 0) {
          best = Optional.of(candidate);
        }
      }
    }
    return best;
  }

  private static StatsKey keyOf(CommunityRow view) {
    return new StatsKey(view.getModel(), view.getGpu(), view.getGpuCount(), view.getQuantization(), view.getRuntime(), view.getContextBucket(),
        view.getSuiteId(), OffloadClass.valueOf(view.getOffloadClass()), view.getConcurrency(), view.getBackend());
  }
}
