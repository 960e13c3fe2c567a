package io.tokbench.aggregator.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokbench.aggregator.normalize.StatsKeys;
import io.tokbench.aggregator.topology.AggregatorTopology;
import io.tokbench.schema.CommunityRow;
import io.tokbench.schema.OffloadClass;
import io.tokbench.schema.Percentiles;
import io.tokbench.schema.StatsKey;
import io.tokbench.schema.StatsRow;
import io.tokbench.schema.TypicalSetup;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The roll-up ranks a changed row against the current best alone and reads the other rows only
 * when a row goes or the best one shrinks; after any sequence of rows growing, shrinking and
 * disappearing, its view equals the best setup picked by reading every row of the GPU.
 */
class RollUpPropertyTest {
  private static final String MODEL = "m";

  /** One step: setup {@code setup} on GPU {@code gpu} now has these counts, or is gone (rigs 0). */
  record Change(int gpu, int setup, int rigs, long reports) {}

  @Property(tries = 1_000)
  void theViewIsTheBestRowAfterEveryChange(@ForAll("changes") List<Change> changes) {
    MockProcessorContext<String, CommunityRow> context = new MockProcessorContext<>();
    KeyValueStore<String, StatsRow> stats = store(AggregatorTopology.STATS_STORE, AggregatorTopology.STATS_ROW_SERDE, context);
    KeyValueStore<String, CommunityRow> community = store(AggregatorTopology.COMMUNITY_STORE, AggregatorTopology.COMMUNITY_ROW_SERDE, context);
    RollUpProcessor rollUp = new RollUpProcessor(AggregatorTopology.STATS_STORE, AggregatorTopology.COMMUNITY_STORE);
    rollUp.init(context);
    for (Change change : changes) {
      StatsKey key = key(change.gpu(), change.setup());
      StatsRow row = change.rigs() == 0 ? null : row(key, change.rigs(), change.reports());
      // As the aggregate step does: the store first, then the changed row forwarded.
      if (row == null) {
        stats.delete(StatsKeys.encode(key));
      } else {
        stats.put(StatsKeys.encode(key), row);
      }
      rollUp.process(new Record<>(key, row, 0L));
      for (int gpu = 0; gpu < 2; gpu++) {
        Optional<StatsRow> best = bestByReadingEveryRow(stats, gpu);
        CommunityRow view = community.get(RollUpProcessor.communityKey(MODEL, gpuName(gpu), 1));
        if (best.isEmpty()) {
          assertThat(view).isNull();
        } else {
          assertThat(view).isNotNull();
          assertThat(view.getContextBucket()).isEqualTo(best.get().getKey().getContextBucket());
          assertThat(view.getRigCount()).isEqualTo(best.get().getRigCount());
          assertThat(view.getReportCount()).isEqualTo(best.get().getReportCount());
        }
      }
    }
  }

  @Provide
  Arbitrary<List<Change>> changes() {
    // Few setups and small counts: ties, and the best row shrinking, are the cases that matter.
    return Combinators.combine(Arbitraries.integers().between(0, 1), Arbitraries.integers().between(0, 3), Arbitraries.integers().between(0, 4),
        Arbitraries.longs().between(1, 6)).as(Change::new).list().ofMinSize(1).ofMaxSize(60);
  }

  private static Optional<StatsRow> bestByReadingEveryRow(KeyValueStore<String, StatsRow> stats, int gpu) {
    Map<String, StatsRow> rows = new TreeMap<>();
    stats.all().forEachRemaining(kv -> {
      if (kv.value.getKey().getGpu().equals(gpuName(gpu))) {
        rows.put(kv.key, kv.value);
      }
    });
    // Most rigs, then most reports, then the smallest key.
    return rows.entrySet().stream()
        .max(Comparator.<Map.Entry<String, StatsRow>>comparingInt(e -> e.getValue().getRigCount())
            .thenComparingLong(e -> e.getValue().getReportCount())
            .thenComparing(Map.Entry::getKey, Comparator.reverseOrder()))
        .map(Map.Entry::getValue);
  }

  private static <V> KeyValueStore<String, V> store(String name, Serde<V> values, MockProcessorContext<String, CommunityRow> context) {
    KeyValueStore<String, V> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), Serdes.String(), values).withLoggingDisabled().build();
    store.init(context.getStateStoreContext(), store);
    context.addStateStore(store);
    return store;
  }

  private static String gpuName(int gpu) {
    return gpu == 0 ? "nvidia-rtx-4090" : "nvidia-rtx-3090";
  }

  private static StatsKey key(int gpu, int setup) {
    return new StatsKey(MODEL, gpuName(gpu), 1, "Q4_K_M", "ollama", 4096 << setup, "tokbench-suite-1", OffloadClass.FULL_GPU, 1, "CUDA");
  }

  private static StatsRow row(StatsKey key, int rigs, long reports) {
    return StatsRow.newBuilder()
        .setKey(key)
        .setGenerationTokensPerSecond(new Percentiles(80.0, 82.0, 85.0, 88.0, 90.0))
        .setReportCount(Math.max(rigs, reports)).setRigCount(rigs).setFirstReportAt(Instant.EPOCH).setLastReportAt(Instant.EPOCH)
        .setTypicalSetup(new TypicalSetup("linux", "0.5.7", "CUDA"))
        .build();
  }
}
