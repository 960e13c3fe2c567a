package io.tokbench.aggregator.aggregate;

import io.tokbench.schema.BenchmarkReport;
import java.time.Duration;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * Drops a report whose id was seen within the retention window (the agent's spool may resend
 * after a crash). The ids live in a window store, so the store is bounded in time: old segments
 * expire on their own. Input is keyed by the agent's key (rig/model), so a resend reaches the same
 * partition and the same store.
 */
public final class DeduplicateProcessor extends ContextualProcessor<String, BenchmarkReport, String, BenchmarkReport> {
  private final String storeName;
  private final Duration retention;
  private WindowStore<String, Long> seen;

  public DeduplicateProcessor(String storeName, Duration retention) {
    this.storeName = storeName;
    this.retention = retention;
  }

  @Override
  public void init(ProcessorContext<String, BenchmarkReport> context) {
    super.init(context);
    seen = context.getStateStore(storeName);
  }

  @Override
  public void process(Record<String, BenchmarkReport> record) {
    long now = record.timestamp();
    try (WindowStoreIterator<Long> earlier = seen.fetch(record.key(), now - retention.toMillis(), now + retention.toMillis())) {
      if (earlier.hasNext()) {
        return;
      }
    }
    seen.put(record.key(), now, now);
    context().forward(record);
  }
}
