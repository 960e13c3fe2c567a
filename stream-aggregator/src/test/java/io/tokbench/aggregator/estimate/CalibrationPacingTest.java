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
import java.util.stream.IntStream;
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
  /** A group of several GPUs, so its band is measured on GPUs held out. */
  private static final String BANDED = "CUDA";
  /** The store hands a fit its points in another order than the test's: the sums differ in the last bits. */
  private static final org.assertj.core.data.Offset<Double> WITHIN_ROUNDING = org.assertj.core.data.Offset.offset(1e-12);
  private static final java.util.List<String> FOUR_GPUS = java.util.List.of("nvidia-rtx-3060-12gb", "nvidia-rtx-3080-10gb", "nvidia-rtx-4090", "nvidia-rtx-a6000");

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

  /**
   * A group's band refits its line without each of up to eight GPUs, so a refit measures it again
   * only when the group's GPUs change, its points grow or shrink by a tenth, or the last measure is
   * twelve intervals old; in between it keeps the band while its line moves, and catches up at the
   * first interval without new points. A group that changes after quiet intervals, or is refitted
   * by the admin API's refit of everything, has its band measured at once.
   */
  @Test
  void aRefitKeepsItsBandUntilTheGroupChangesOrItIsAMinuteOld() {
    Harness harness = new Harness();
    java.util.Map<Integer, StatsRow> rows = new java.util.TreeMap<>();
    java.util.function.BiConsumer<Integer, StatsRow> put = (i, row) -> {
      rows.put(i, row);
      harness.process(BANDED, row);
    };
    IntStream.range(0, 40).forEach(i -> put.accept(i, row(i, FOUR_GPUS.get(i % 4), 60 + 7 * (i % 9))));
    harness.tick();
    double measured = harness.last(BANDED).getResidualSpread();
    assertThat(measured).isCloseTo(harness.fresh(rows.values()).getResidualSpread(), WITHIN_ROUNDING);

    for (int t = 0; t < BandSchedule.MAX_AGE_INTERVALS - 1; t++) {
      put.accept(t, row(t, FOUR_GPUS.get(t % 4), 20 + 90 * (t % 2))); // a row's rate moves: a refit, the band kept
      harness.tick();
      assertThat(harness.last(BANDED).getBandwidthEfficiency()).isCloseTo(harness.fresh(rows.values()).getBandwidthEfficiency(), WITHIN_ROUNDING);
      assertThat(harness.last(BANDED).getResidualSpread()).as("tick %d", t).isEqualTo(measured);
    }
    assertThat(harness.fresh(rows.values()).getResidualSpread()).as("a measure now would differ").isNotEqualTo(measured);

    put.accept(0, row(0, FOUR_GPUS.get(0), 45));
    harness.tick(); // twelve intervals after the measure
    double remeasured = harness.last(BANDED).getResidualSpread();
    assertThat(remeasured).isCloseTo(harness.fresh(rows.values()).getResidualSpread(), WITHIN_ROUNDING).isNotEqualTo(measured);

    put.accept(1, row(1, FOUR_GPUS.get(1), 140));
    harness.tick();
    assertThat(harness.last(BANDED).getResidualSpread()).isEqualTo(remeasured);
    int refits = harness.refitted().size();
    harness.tick(); // no new points: the band catches up with the line
    assertThat(harness.refitted()).hasSize((int) refits + 1);
    assertThat(harness.last(BANDED).getResidualSpread()).isCloseTo(harness.fresh(rows.values()).getResidualSpread(), WITHIN_ROUNDING).isNotEqualTo(remeasured);
    harness.tick(); // and then nothing more to refit
    assertThat(harness.refitted()).hasSize(refits + 1);

    harness.tick();
    harness.tick();
    double caughtUp = harness.last(BANDED).getResidualSpread();
    put.accept(2, row(2, FOUR_GPUS.get(2), 25));
    harness.tick(); // a change after quiet intervals: one refit, its band measured
    assertThat(harness.refitted()).hasSize(refits + 2);
    assertThat(harness.last(BANDED).getResidualSpread()).isCloseTo(harness.fresh(rows.values()).getResidualSpread(), WITHIN_ROUNDING)
        .isNotEqualTo(caughtUp);

    put.accept(3, row(3, FOUR_GPUS.get(3), 160));
    harness.tick(); // steady again: kept
    double kept = harness.last(BANDED).getResidualSpread();
    assertThat(kept).isNotCloseTo(harness.fresh(rows.values()).getResidualSpread(), WITHIN_ROUNDING);
    put.accept(4, row(4, FOUR_GPUS.get(0), 150));
    harness.processRefitAll(); // the admin API's refit of everything measures every band
    harness.tick();
    assertThat(harness.last(BANDED).getResidualSpread()).isCloseTo(harness.fresh(rows.values()).getResidualSpread(), WITHIN_ROUNDING)
        .isNotEqualTo(kept);
  }

  @Test
  void aGroupThatGainsAGpuOrATenthMorePointsHasItsBandMeasuredAtOnce() {
    Harness harness = new Harness();
    java.util.List<StatsRow> rows = new java.util.ArrayList<>();
    java.util.function.Consumer<StatsRow> add = row -> {
      rows.add(row);
      harness.process(BANDED, row);
    };
    IntStream.range(0, 40).forEach(i -> add.accept(row(i, FOUR_GPUS.get(i % 3), 60 + 7 * (i % 9))));
    harness.tick();
    double ofThree = harness.last(BANDED).getResidualSpread();

    add.accept(row(40, FOUR_GPUS.get(3), 150)); // a fourth GPU
    harness.tick();
    assertThat(harness.last(BANDED).getResidualSpread()).isCloseTo(harness.fresh(rows).getResidualSpread(), WITHIN_ROUNDING).isNotEqualTo(ofThree);

    IntStream.range(41, 44).forEach(i -> add.accept(row(i, FOUR_GPUS.get(i % 4), 30))); // 3 of 41: under a tenth
    harness.tick();
    double kept = harness.last(BANDED).getResidualSpread();
    assertThat(kept).isNotEqualTo(harness.fresh(rows).getResidualSpread());
    IntStream.range(44, 46).forEach(i -> add.accept(row(i, FOUR_GPUS.get(i % 4), 30))); // 5 of 41
    harness.tick();
    assertThat(harness.last(BANDED).getResidualSpread()).isCloseTo(harness.fresh(rows).getResidualSpread(), WITHIN_ROUNDING).isNotEqualTo(kept);
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

    void processRefitAll() {
      processor.process(new Record<>(CalibrateProcessor.REFIT_ALL, null, now));
    }

    void process(String group, StatsRow row) {
      processor.process(new Record<>(group, CalibrationPoints.of(row, GpuCatalog.shared(), ModelCatalog.shared()), now));
    }

    /** The group's last calibration forwarded. */
    CalibrationRecord last(String group) {
      return context.forwarded().stream().filter(f -> f.record().key().equals(group) && f.record().value() != null)
          .reduce((first, second) -> second).orElseThrow().record().value();
    }

    /** The group fitted now from these rows, its band measured. */
    CalibrationRecord fresh(java.util.Collection<StatsRow> rows) {
      return Calibrator.fit(BANDED, rows.stream().map(r -> CalibrationPoints.of(r, GpuCatalog.shared(), ModelCatalog.shared())).toList(),
          Physics.PRIOR, Instant.ofEpochMilli(now));
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
    return row(i, "nvidia-rtx-4090", 80 + i % 20);
  }

  private static StatsRow row(int i, String gpu, double median) {
    StatsKey key = new StatsKey("model-" + i, gpu, 1, "Q4_K_M", "ollama", 8192, "tokbench-suite-1", OffloadClass.FULL_GPU, 1, "CUDA");
    return StatsRow.newBuilder()
        .setKey(key)
        .setGenerationTokensPerSecond(new Percentiles(median * 0.9, median * 0.95, median, median * 1.05, median * 1.1))
        .setReportCount(3).setRigCount(3).setFirstReportAt(Instant.EPOCH).setLastReportAt(Instant.EPOCH)
        .setTypicalSetup(new TypicalSetup("linux", "0.5.7", "CUDA"))
        .setModelFacts(ModelFacts.newBuilder().setFileSizeBytes(4_920_738_944L + i).setParameterCount(8_030_261_248L).build())
        .build();
  }
}
