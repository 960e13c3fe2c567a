package io.tokbench.aggregator.estimate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.tokbench.aggregator.support.AggregatorDriver;
import io.tokbench.aggregator.support.TestReports;
import io.tokbench.schema.BenchmarkReport;
import io.tokbench.schema.CalibrationLevel;
import io.tokbench.schema.CalibrationRecord;
import io.tokbench.schema.Gpu;
import io.tokbench.schema.Hardware;
import io.tokbench.schema.MemoryObserved;
import io.tokbench.schema.Retraction;
import io.tokbench.schema.Settings;
import io.tokbench.schema.Summary;
import io.tokbench.testkit.KafkaStack;
import io.tokbench.testkit.WithKafkaStack;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Calibration inside the topology: rigs whose speeds follow a known overhead and efficiency end up
 * as a calibration record on tokbench.calibration (and in every instance's global store) with those
 * parameters, and retracting rigs refits the group.
 */
@WithKafkaStack
class CalibrationTopologyTest {
  private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");
  private static final long FILE_SIZE = 4_920_738_944L; // the sample report's deepseek-r1:8b Q4_K_M
  private static final double OVERHEAD_SECONDS = 0.003;
  private static final double EFFICIENCY = 0.7;
  private static final long KV_PER_TOKEN = 32L * 8 * 128 * 2 * 2; // the sample's architecture: 32 layers, 8 KV heads, head size 128
  private static final String NARROW = "ollama|CUDA|GDDR|Q4_K_M";
  private static final String KERNELS = "ollama|CUDA|Q4_K_M";
  /** The groups of an RTX 4090's rows (Ada); the RTX 3090's and 3060's (Ampere) add {@link #AMPERE}. */
  private static final String[] GROUPS = {"ollama|CUDA/ada|GDDR|Q4_K_M", NARROW, "CUDA/ada|GDDR", "NVIDIA|GDDR", "GDDR", KERNELS, "CUDA", "global"};
  private static final String[] AMPERE = {"ollama|CUDA/ampere|GDDR|Q4_K_M", "CUDA/ampere|GDDR"};
  /** GPU raw name, VRAM and bandwidth (GB/s) from the shared catalog. */
  private static final List<Object[]> GPUS = List.of(
      new Object[] {"NVIDIA GeForce RTX 4090", 25_757_220_864L, 1008.0},
      new Object[] {"NVIDIA GeForce RTX 3090", 25_769_803_776L, 936.0},
      new Object[] {"NVIDIA GeForce RTX 4070", 12_878_610_432L, 504.0},
      new Object[] {"NVIDIA GeForce RTX 3060", 12_884_901_888L, 360.0});

  private final KafkaStack stack;
  @TempDir Path stateDir;
  private AggregatorDriver driver;

  CalibrationTopologyTest(KafkaStack stack) {
    this.stack = stack;
  }

  @BeforeEach
  void start() {
    driver = new AggregatorDriver(stack, stateDir, NOW);
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  /** A rig on one GPU generating exactly as the known model says, with measured VRAM. */
  private static BenchmarkReport rig(UUID rig, Object[] gpu, int concurrency, long vramUsed) {
    return rig(rig, gpu, concurrency, vramUsed, 8192);
  }

  private static BenchmarkReport rig(UUID rig, Object[] gpu, int concurrency, long vramUsed, int context) {
    double bandwidth = (double) gpu[2] * 1e9;
    // What the estimator's law says: the weights and the KV cache up to the suite's mean depth (its
    // 512-token prompt and half of the 128 generated tokens), under the prior physics.
    double rate = SpeedModel.generationTokensPerSecond(new GenerationModel(OVERHEAD_SECONDS, EFFICIENCY), Physics.PRIOR, FILE_SIZE, 1.0, KV_PER_TOKEN, null,
        SuiteShape.DEFAULT.meanGenerationDepth(), bandwidth, 1);
    double perUser = concurrency == 1 ? rate : rate * (1 + 3.0 * (concurrency - 1) / (concurrency - 1 + 2.0)) / concurrency;
    BenchmarkReport base = TestReports.at(rig, perUser, NOW.minusSeconds(120));
    Gpu card = Gpu.newBuilder(base.getHardware().getGpus().get(0)).setRawName((String) gpu[0]).setCanonicalId(null).setVramBytes((long) gpu[1]).build();
    return BenchmarkReport.newBuilder(base)
        .setHardware(Hardware.newBuilder(base.getHardware()).setGpus(List.of(card)).build())
        .setSettings(Settings.newBuilder(base.getSettings()).setConcurrency(concurrency).setContextLength(context).build())
        .setSummary(Summary.newBuilder(base.getSummary()).setAggregateTokensPerSecond(concurrency == 1 ? null : perUser * concurrency).build())
        .setMemory(MemoryObserved.newBuilder(base.getMemory()).setVramUsedBytes(vramUsed).build())
        .build();
  }

  @Test
  void rigsFollowingAKnownModelYieldItsParametersOnTheCalibrationTopic() {
    long kvPerToken = KV_PER_TOKEN;
    for (int g = 0; g < GPUS.size(); g++) {
      for (int i = 0; i < 2; i++) {
        UUID rig = UUID.randomUUID();
        int context = 4096 << (g % 3); // 4K, 8K, 16K: the KV cache grows with the context, the overhead does not
        long vram = FILE_SIZE + Math.round(1.2 * kvPerToken * context) + 400_000_000L;
        // The KV cache is sized by the runtime's slots, not by the probe's parallel requests.
        driver.publish(rig(rig, GPUS.get(g), 1, vram, context), rig(rig, GPUS.get(g), 4, vram, context));
      }
    }
    assertThat(driver.calibrationTopic()).as("nothing is refitted before the interval").isEmpty();

    driver.advanceWallClock(Duration.ofSeconds(6));

    Map<String, CalibrationRecord> calibration = driver.calibrationTopic();
    assertThat(calibration).hasSize(GROUPS.length + AMPERE.length).containsKeys(GROUPS).containsKeys(AMPERE);
    CalibrationRecord narrow = calibration.get(NARROW);
    assertThat(narrow.getLevel()).isEqualTo(CalibrationLevel.RUNTIME_BACKEND_QUANT);
    assertThat(narrow.getRigCount()).isEqualTo(8);
    assertThat(narrow.getRowCount()).as("4 GPUs, one row each at single-user").isEqualTo(4);
    assertThat(narrow.getBandwidthEfficiency()).isCloseTo(EFFICIENCY, within(0.01));
    assertThat(narrow.getOverheadMillisPerToken()).isCloseTo(OVERHEAD_SECONDS * 1e3, within(0.1));
    CalibrationRecord kernels = calibration.get(KERNELS);
    assertThat(kernels.getKvCacheFactor()).isCloseTo(1.2, within(0.01));
    assertThat(kernels.getRuntimeOverheadBytes()).isCloseTo(400_000_000L, org.assertj.core.api.Assertions.within(5_000_000L));
    assertThat(kernels.getConcurrencyGainAtSaturation()).as("gain at 4 users is 1 + 3·3/5 = 2.8").isGreaterThan(2.0);
    assertThat(new ConcurrencyCurve(kernels.getConcurrencyGainAtSaturation(), kernels.getConcurrencyHalfSaturationUsers()).gain(4))
        .isCloseTo(2.8, within(0.05));
    assertThat(narrow.getResidualSpread()).isLessThan(0.01);
    assertThat(driver.calibrationStore().get(NARROW)).as("every instance's global store").isEqualTo(narrow);
    assertThat(calibration.get("global").getMultiGpuMillis()).as("no split rows: the prior").isEqualTo(Physics.PRIOR.multiGpuSeconds() * 1e3);
  }

  @Test
  void aRefitAllMarkerRefitsEveryGroupOfThePartitionAtOnce() {
    driver.publish(rig(UUID.randomUUID(), GPUS.get(0), 1, FILE_SIZE + 1_500_000_000L));
    driver.advanceWallClock(Duration.ofSeconds(6));
    assertThat(driver.calibrationTopic()).containsKeys(GROUPS);
    driver.advanceWallClock(Duration.ofSeconds(6));
    assertThat(driver.calibrationTopic()).as("nothing changed: nothing refitted").isEmpty();

    driver.requestRefitOfAllGroups();
    driver.advanceWallClock(Duration.ofSeconds(6));

    assertThat(driver.calibrationTopic()).as("the admin API's marker (one per partition)").containsOnlyKeys(GROUPS);
  }

  @Test
  void retractingRigsRefitsTheirGroupsAndAnEmptyGroupIsDeleted() {
    UUID only = UUID.randomUUID();
    driver.publish(rig(only, GPUS.get(0), 1, FILE_SIZE + 1_500_000_000L));
    driver.advanceWallClock(Duration.ofSeconds(6));
    assertThat(driver.calibrationTopic()).containsKey(NARROW);

    driver.retract(Retraction.newBuilder().setRigId(only).setReportId(null).setReason("owner asked").setRequestedAt(NOW).build());
    driver.advanceWallClock(Duration.ofSeconds(6));

    Map<String, CalibrationRecord> after = driver.calibrationTopic();
    assertThat(after).containsKey(NARROW);
    assertThat(after.get(NARROW)).as("tombstone: the group has no rows left").isNull();
    assertThat(driver.calibrationStore().get(NARROW)).isNull();
  }
}
