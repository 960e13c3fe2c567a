package io.tokbench.aggregator.aggregate;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.apache.kafka.common.utils.Utils;

/**
 * Tells this instance's query threads, without a lock they would share with the stream threads,
 * that a model's rows may have changed: a version per model that only grows. Versions are kept
 * per stripe of model hashes, so the memory is fixed whatever the reports name; two models in one
 * stripe only cost each other a cache miss.
 *
 * <p>The stream bumps a model's version after it has written the model's row to the store, so an
 * answer read after reading version v holds every change up to v. When tasks move (a task starts
 * or closes on this instance) every version is bumped, since a store can then change with no row
 * emitted here (restored from its changelog).
 */
public final class RowChanges {
  private static final int STRIPES = 4096;
  private final AtomicLongArray versions = new AtomicLongArray(STRIPES);
  private final AtomicLong anyChange = new AtomicLong();

  /** After the stream wrote a row of this model (or deleted it). */
  public void changed(String model) {
    versions.incrementAndGet(stripe(model));
    anyChange.incrementAndGet();
  }

  /** After a task of the aggregate started or closed here. */
  public void tasksMoved() {
    for (int s = 0; s < STRIPES; s++) {
      versions.incrementAndGet(s);
    }
    anyChange.incrementAndGet();
  }

  /** Read before reading the store: an answer read afterwards is current as long as this does not change. */
  public long version(String model) {
    return versions.get(stripe(model));
  }

  /** Changes whenever any row here changes: for answers that read every row. */
  public long anyVersion() {
    return anyChange.get();
  }

  private static int stripe(String model) {
    return Utils.murmur2(model.getBytes(StandardCharsets.UTF_8)) & (STRIPES - 1);
  }
}
