package io.tokbench.aggregator.estimate;

import io.tokbench.aggregator.normalize.StatsKeys;
import io.tokbench.aggregator.state.CalibrationPoint;
import io.tokbench.aggregator.state.KeySet;
import io.tokbench.catalog.GpuCatalog;
import io.tokbench.catalog.ModelCatalog;
import io.tokbench.schema.StatsKey;
import io.tokbench.schema.StatsRow;
import java.util.List;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Turns each changed statistics row into calibration points, one per group it belongs to, keyed
 * by group for the repartition. Remembers which groups a row was sent to, because a row's backend
 * (its rigs' most common) can change: the groups it leaves get a removal.
 */
public final class CalibrationFeedProcessor extends ContextualProcessor<StatsKey, StatsRow, String, CalibrationPoint> {
  private final String membershipStore;
  private final GpuCatalog gpus = GpuCatalog.shared();
  private final ModelCatalog models = ModelCatalog.shared();
  private KeyValueStore<String, KeySet> membership;

  public CalibrationFeedProcessor(String membershipStore) {
    this.membershipStore = membershipStore;
  }

  @Override
  public void init(ProcessorContext<String, CalibrationPoint> context) {
    super.init(context);
    membership = context.getStateStore(membershipStore);
  }

  @Override
  public void process(Record<StatsKey, StatsRow> record) {
    String statsKey = StatsKeys.encode(record.key());
    KeySet before = membership.get(statsKey);
    List<String> previous = before == null ? List.of() : before.getKeys();
    List<String> now = record.value() == null ? List.of() : CalibrationPoints.groupsOf(record.value(), gpus);
    for (String group : previous) {
      if (!now.contains(group)) {
        context().forward(record.withKey(group).withValue(CalibrationPoints.removal(statsKey)));
      }
    }
    if (!now.isEmpty()) {
      CalibrationPoint point = CalibrationPoints.of(record.value(), gpus, models);
      for (String group : now) {
        context().forward(record.withKey(group).withValue(point));
      }
    }
    if (now.isEmpty()) {
      membership.delete(statsKey);
    } else if (!now.equals(previous)) {
      membership.put(statsKey, new KeySet(now));
    }
  }
}
