package io.tokbench.aggregator.aggregate;

import io.tokbench.aggregator.state.GpuRigPresence;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Counts each GPU's distinct rigs over every partition of the aggregate. Its input, keyed by GPU,
 * says in which partitions a rig contributes to rows of that GPU; a rig counts once however many
 * partitions (models) it is in. The count is forwarded when it changes (a tombstone at zero).
 * Presence is a fact, not a step: a repeated message changes nothing.
 */
public final class GpuRigCountProcessor extends ContextualProcessor<String, GpuRigPresence, String, Long> {
  private static final char SEPARATOR = '\u001e';
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
    String rig = "n" + gpu + SEPARATOR + presence.getRigId();
    String partition = "p" + gpu + SEPARATOR + presence.getRigId() + SEPARATOR + presence.getPartition();
    boolean known = membership.get(partition) != null;
    if (known == presence.getPresent()) {
      return;
    }
    int step = presence.getPresent() ? 1 : -1;
    if (presence.getPresent()) {
      membership.put(partition, "");
    } else {
      membership.delete(partition);
    }
    long partitions = move(rig, step);
    if ((step > 0 && partitions == 1) || (step < 0 && partitions == 0)) {
      long rigs = move("c" + gpu, step);
      context().forward(record.withValue(rigs == 0 ? null : rigs));
    }
  }

  private long move(String key, int step) {
    String before = membership.get(key);
    long count = Math.max(0, (before == null ? 0 : Long.parseLong(before)) + step);
    if (count == 0) {
      membership.delete(key);
    } else {
      membership.put(key, Long.toString(count));
    }
    return count;
  }
}
