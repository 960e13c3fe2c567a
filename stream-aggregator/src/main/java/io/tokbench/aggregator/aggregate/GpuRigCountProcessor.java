package io.tokbench.aggregator.aggregate;

import io.tokbench.aggregator.state.GpuRigPresence;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Counts each GPU's distinct rigs over every partition of the aggregate. Its input, keyed by GPU,
 * says which rigs arrived on or left the GPU in one partition; a rig counts once however many
 * partitions (models) it is in. The count is forwarded when a record changed it (a tombstone at
 * zero). Presence is a fact, not a step: a repeated record changes nothing.
 */
public final class GpuRigCountProcessor extends ContextualProcessor<String, GpuRigPresence, String, Long> {
  private static final char SEPARATOR = RigContributions.RIG_SEPARATOR;
  private final String storeName;
  /** "p" gpu rig partition: present; "n" gpu rig: in how many partitions; "c" gpu: distinct rigs. */
  private KeyValueStore<String, String> membership;

  public GpuRigCountProcessor(String storeName) {
    this.storeName = storeName;
  }

  @Override
  public void init(ProcessorContext<String, Long> context) {
    super.init(context);
    membership = context.getStateStore(storeName);
  }

  @Override
  public void process(Record<String, GpuRigPresence> record) {
    String gpu = record.key();
    GpuRigPresence presence = record.value();
    if (gpu == null || presence == null) {
      return;
    }
    long before = count("c" + gpu);
    long rigs = before;
    for (String rig : presence.getArrived()) {
      rigs += moved(gpu, rig, presence.getPartition(), true);
    }
    for (String rig : presence.getLeft()) {
      rigs += moved(gpu, rig, presence.getPartition(), false);
    }
    if (rigs != before) {
      set("c" + gpu, rigs);
      context().forward(record.withValue(rigs == 0 ? null : rigs));
    }
  }

  /** Records the rig's presence in the partition; by how much the GPU's distinct rigs changed (-1, 0, 1). */
  private int moved(String gpu, String rig, int partition, boolean present) {
    String entry = "p" + gpu + SEPARATOR + rig + SEPARATOR + partition;
    if ((membership.get(entry) != null) == present) {
      return 0;
    }
    if (present) {
      membership.put(entry, "");
    } else {
      membership.delete(entry);
    }
    String partitionsOfRig = "n" + gpu + SEPARATOR + rig;
    long partitions = count(partitionsOfRig) + (present ? 1 : -1);
    set(partitionsOfRig, partitions);
    return present && partitions == 1 ? 1 : !present && partitions == 0 ? -1 : 0;
  }

  private long count(String key) {
    String value = membership.get(key);
    return value == null ? 0 : Long.parseLong(value);
  }

  private void set(String key, long count) {
    if (count <= 0) {
      membership.delete(key);
    } else {
      membership.put(key, Long.toString(count));
    }
  }
}
