package io.tokbench.aggregator.estimate;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokbench.aggregator.topology.AggregatorTopology;
import io.tokbench.catalog.GpuCatalog;
import io.tokbench.catalog.ModelCatalog;
import io.tokbench.schema.CalibrationRecord;
import io.tokbench.schema.ModelFacts;
import io.tokbench.schema.OffloadClass;
import io.tokbench.schema.Percentiles;
import io.tokbench.schema.StatsKey;
import io.tokbench.schema.StatsRow;
import io.tokbench.schema.TypicalSetup;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/**
 * A refit reads its group's points on the stream thread, at most a full sample of them: a small
 * group is refitted at every interval it changed in, a group whose sample is full every other
 * interval, and one such group per tick, so big groups' refits do not pile up on one tick.
 */
class CalibrationPacingTest {
  private static final Duration INTERVAL = Duration.ofSeconds(5);
  private static final String GROUP = "global";

  @Test
  void aSmallGroupIsRefittedAtEveryIntervalItChangedIn() {
    Harness harness = new Harness();
    harness.points(0, 100);
    assertThat(harness.refitsAfterTicks(3, 100)).isEqualTo(3);
  }

  @Test
  void aGroupWhoseSampleIsFullIsRefittedEveryOtherInterval() {
    Harness harness = new Harness();
    harness.points(0, 5_000); // more than a sample: one interval skipped after each refit
    assertThat(harness.refitsAfterTicks(6, 5_000)).isEqualTo(3);
  }

  @Test
  void aTickRefitsOneBigGroupAtMostSoBigGroupsAreRefittedOnDifferentTicks() {
    Harness harness = new Harness();
    harness.points("kernels", 0, 9_000);
    harness.points(GROUP, 0, 9_000);
    harness.tick();
    assertThat(harness.refitted()).containsExactly("kernels");
    harness.tick();
    assertThat(harness.refitted()).containsExactly("kernels", GROUP);
  }

  /** A calibration task with its two stores in memory, its punctuator driven by hand. */
  private static final class Harness {
    private final MockProcessorContext<String, CalibrationRecord> context = new MockProcessorContext<>();
    private final CalibrateProcessor processor =
        new CalibrateProcessor(AggregatorTopology.CALIBRATION_POINTS_STORE, AggregatorTopology.CALIBRATION_STORE, INTERVAL, 1_000);
    private long now = Instant.parse("2026-11-28T12:00:00Z").toEpochMilli();

    Harness() {
      store(AggregatorTopology.CALIBRATION_POINTS_STORE, AggregatorTopology.POINT_SERDE);
      store(AggregatorTopology.CALIBRATION_STORE, AggregatorTopology.CALIBRATION_SERDE);
      processor.init(context);
      tick(); // the start-up refit of every stored group (none yet)
      context.resetForwards();
    }

    void points(int from, int to) {
      points(GROUP, from, to);
    }

    void points(String group, int from, int to) {
      for (int i = from; i < to; i++) {
        processor.process(new Record<>(group, CalibrationPoints.of(row(i), GpuCatalog.shared(), ModelCatalog.shared()), now));
      }
    }

    /** The groups refitted so far, in order. */
    java.util.List<String> refitted() {
      return context.forwarded().stream().filter(f -> f.record().value() != null).map(f -> (String) f.record().key()).toList();
    }

    /** Before each tick one of the group's points changes; how many refits were forwarded. */
    long refitsAfterTicks(int ticks, int size) {
      for (int t = 0; t < ticks; t++) {
        points(t % size, t % size + 1);
        tick();
      }
      return context.forwarded().stream().filter(f -> f.record().key().equals(GROUP) && f.record().value() != null).count();
    }

    void tick() {
      now += INTERVAL.toMillis();
      context.scheduledPunctuators().get(0).getPunctuator().punctuate(now);
    }

    private <V> void store(String name, Serde<V> values) {
      KeyValueStore<String, V> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), Serdes.String(), values).withLoggingDisabled().build();
      store.init(context.getStateStoreContext(), store);
      context.addStateStore(store);
    }
  }

  /** A fully offloaded single-user row of an 8B model on an RTX 4090; rates vary by row. */
  private static StatsRow row(int i) {
    StatsKey key = new StatsKey("model-" + i, "nvidia-rtx-4090", 1, "Q4_K_M", "ollama", 8192, "tokbench-suite-1", OffloadClass.FULL_GPU, 1, "CUDA");
    double median = 80 + i % 20;
    return StatsRow.newBuilder()
        .setKey(key)
        .setGenerationTokensPerSecond(new Percentiles(median * 0.9, median * 0.95, median, median * 1.05, median * 1.1))
        .setReportCount(3).setRigCount(3).setFirstReportAt(Instant.EPOCH).setLastReportAt(Instant.EPOCH)
        .setTypicalSetup(new TypicalSetup("linux", "0.5.7", "CUDA"))
        .setModelFacts(ModelFacts.newBuilder().setFileSizeBytes(4_920_738_944L + i).setParameterCount(8_030_261_248L).build())
        .build();
  }
}
