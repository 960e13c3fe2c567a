package io.tokbench.aggregator.estimate;

import static io.tokbench.aggregator.estimate.EstimatorFormulasTest.group;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.tokbench.catalog.GpuCatalog;
import io.tokbench.catalog.GpuSpec;
import io.tokbench.catalog.ModelCatalog;
import io.tokbench.schema.CalibrationRecord;
import io.tokbench.schema.ModelFacts;
import io.tokbench.schema.OffloadClass;
import io.tokbench.schema.Percentiles;
import io.tokbench.schema.StatsKey;
import io.tokbench.schema.StatsRow;
import io.tokbench.schema.TypicalSetup;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A serving plan says "measured" only for a setup someone measured, and predicts the rest from the calibration. */
class EstimatorTest {
  private static final String MODEL = "llama-3.1-8b-instruct";
  private static final long FILE_SIZE = 4_920_738_944L;
  private static final long KV_PER_TOKEN = 32L * 8 * 128 * 2 * 2; // 128 KiB: Llama 3.1 8B in f16
  private static final GpuSpec RTX_4090 = GpuCatalog.shared().byId("nvidia-rtx-4090").orElseThrow();
  private static final GpuSpec RTX_3060 = GpuCatalog.shared().byId("nvidia-rtx-3060-12gb").orElseThrow();
  private static final Estimator ESTIMATOR = new Estimator(ModelCatalog.shared());
  /** Generation's narrow group, and that of prompt processing, VRAM and concurrency (the backend's kernels). */
  private static final String NARROW = "ollama|CUDA|GDDR|Q4_K_M";
  private static final String KERNELS = "ollama|CUDA|Q4_K_M";
  private static final CalibrationGroups CALIBRATION = new CalibrationGroups(Map.of(
      NARROW, group(NARROW, 23, 4.0, 0.75).setResidualSpread(Math.log(1.1)).build(),
      KERNELS, group(KERNELS, 23, 4.0, 0.75).setKvCacheFactor(1.0).setRuntimeOverheadBytes(600_000_000L)
          .setConcurrencyGainAtSaturation(4.0).setConcurrencyHalfSaturationUsers(3.0).build(),
      "llama.cpp|VULKAN/NVIDIA|GDDR|Q4_K_M", group("llama.cpp|VULKAN/NVIDIA|GDDR|Q4_K_M", 9, 1.0, 0.5).build(),
      "llama.cpp|CUDA|GDDR|Q4_K_M", group("llama.cpp|CUDA|GDDR|Q4_K_M", 9, 1.0, 0.9).build()));

  private static StatsRow row(GpuSpec gpu, int concurrency, double median, int rigs) {
    return StatsRow.newBuilder()
        .setKey(new StatsKey(MODEL, gpu.id(), 1, "Q4_K_M", "ollama", 8192, "tokbench-suite-1", OffloadClass.FULL_GPU, concurrency, "CUDA"))
        .setGenerationTokensPerSecond(new Percentiles(median * 0.9, median * 0.95, median, median * 1.05, median * 1.1))
        .setReportCount(rigs).setRigCount(rigs).setFirstReportAt(Instant.EPOCH).setLastReportAt(Instant.EPOCH)
        .setTypicalSetup(new TypicalSetup("linux", "0.5.7", "CUDA"))
        .setModelFacts(ModelFacts.newBuilder().setFileSizeBytes(FILE_SIZE).setParameterCount(8_030_261_248L).setKvCacheBytesPerToken(KV_PER_TOKEN)
            .setAggregateTokensPerSecond(concurrency == 1 ? null : median * concurrency).build())
        .build();
  }

  private static Estimator.Request request(GpuSpec gpu, int context, int users) {
    return new Estimator.Request(MODEL, gpu, 1, "Q4_K_M", context, users, "ollama", 512);
  }

  @Test
  void aMeasuredSetupIsAnsweredWithItsMedianAndSaysSo() {
    Estimator.Estimate e = ESTIMATOR.estimate(request(RTX_4090, 8192, 1), List.of(row(RTX_4090, 1, 88.4, 14)), CALIBRATION);

    assertThat(e.singleUserTokensPerSecond()).isEqualTo(88.4);
    assertThat(e.basis().text()).isEqualTo("measured: median of 14 rigs");
    assertThat(e.low()).isCloseTo(88.4 * 0.95, within(1e-9));
  }

  @Test
  void anUnmeasuredGpuIsPredictedFromItsGroupWithABand() {
    Estimator.Estimate e = ESTIMATOR.estimate(request(RTX_3060, 8192, 1), List.of(row(RTX_4090, 1, 88.4, 14)), CALIBRATION);

    // the weights and the KV cache of the 512-token prompt and half a reply, read at 75 % of 360 GB/s, plus 4 ms
    double expected = 1 / (0.004 + (FILE_SIZE + KV_PER_TOKEN * (512 + 64)) / (0.75 * 360e9));
    assertThat(e.singleUserTokensPerSecond()).isCloseTo(expected, within(1e-6));
    assertThat(e.basis().kind()).isEqualTo("predicted");
    assertThat(e.basis().text()).isEqualTo("predicted from ollama|CUDA|GDDR|Q4_K_M (23 rigs), ±10 %");
    assertThat(e.low()).isCloseTo(expected / 1.1, within(1e-6));
    assertThat(e.high()).isCloseTo(expected * 1.1, within(1e-6));
  }

  /**
   * A small group pooled in moves the figure toward its own line; the band widens by as much, since the
   * truth may lie that far on the other side of the established group's line.
   */
  @Test
  void aPooledPredictionWidensItsBandByHowFarPoolingMovedIt() {
    String ampere = "ollama|CUDA/ampere|GDDR|Q4_K_M";
    Map<String, CalibrationRecord> groups = new java.util.HashMap<>();
    groups.put(NARROW, group(NARROW, 23, 4.0, 0.75).setResidualSpread(Math.log(1.1)).build());
    groups.put(KERNELS, group(KERNELS, 23, 4.0, 0.75).setKvCacheFactor(1.0).setRuntimeOverheadBytes(600_000_000L).build());
    groups.put(ampere, group(ampere, 1, 4.0, 0.90).build());

    Estimator.Estimate e = ESTIMATOR.estimate(request(RTX_3060, 8192, 1), List.of(row(RTX_4090, 1, 88.4, 14)), new CalibrationGroups(groups));

    double read = (FILE_SIZE + KV_PER_TOKEN * (512 + 64)) / 360e9;
    double established = 1 / (0.004 + read / 0.75);
    double pooled = 1 / (0.004 + read / (0.75 * Math.cbrt(0.90 / 0.75)));
    double spread = Math.log(1.1) + Math.log(pooled / established);
    assertThat(e.singleUserTokensPerSecond()).isCloseTo(pooled, within(1e-6));
    assertThat(e.low()).isCloseTo(pooled * Math.exp(-spread), within(1e-6)).isLessThan(established / 1.1);
    assertThat(e.high()).isCloseTo(pooled * Math.exp(spread), within(1e-6));
    assertThat(e.basis().text()).isEqualTo("predicted from ollama|CUDA/ampere|GDDR|Q4_K_M (1 rig) pooled with ollama|CUDA|GDDR|Q4_K_M (23 rigs), ±"
        + Math.round((Math.exp(spread) - 1) * 100) + " %");
    assertThat(e.basis().rigs()).as("the established group's").isEqualTo(23);
  }

  @Test
  void moreUsersRaiseAggregateAndLowerPerUserSpeedAlongTheCalibratedCurve() {
    List<StatsRow> rows = List.of(row(RTX_4090, 1, 88.4, 14));
    Estimator.Estimate one = ESTIMATOR.estimate(request(RTX_4090, 8192, 1), rows, CALIBRATION);
    Estimator.Estimate eight = ESTIMATOR.estimate(request(RTX_4090, 8192, 8), rows, CALIBRATION);

    double gain = 1 + 3.0 * 7 / (7 + 3.0);
    assertThat(eight.aggregateTokensPerSecond()).isCloseTo(88.4 * gain, within(1e-9));
    assertThat(eight.perUserTokensPerSecond()).isCloseTo(88.4 * gain / 8, within(1e-9));
    assertThat(eight.concurrencyBasis().text()).isEqualTo("predicted from ollama|CUDA|Q4_K_M (23 rigs)");
    assertThat(eight.vram().estimate().kvCacheBytes()).isEqualTo(8 * one.vram().estimate().kvCacheBytes());
  }

  @Test
  void aMeasuredConcurrencySweepIsUsedAsMeasured() {
    Estimator.Estimate four = ESTIMATOR.estimate(request(RTX_4090, 8192, 4), List.of(row(RTX_4090, 1, 88.4, 14), row(RTX_4090, 4, 50.0, 3)), CALIBRATION);

    assertThat(four.perUserTokensPerSecond()).isEqualTo(50.0);
    assertThat(four.aggregateTokensPerSecond()).isEqualTo(200.0);
    assertThat(four.concurrencyBasis().text()).isEqualTo("measured: median of 3 rigs");
  }

  @Test
  void vramCountsWeightsKvCacheForEveryUsersContextAndOverheadAndSaysWhetherItFits() {
    List<StatsRow> rows = List.of(row(RTX_4090, 1, 88.4, 14));
    Estimator.Estimate small = ESTIMATOR.estimate(request(RTX_3060, 8192, 1), rows, CALIBRATION);
    Estimator.Estimate large = ESTIMATOR.estimate(request(RTX_3060, 131_072, 1), rows, CALIBRATION);

    assertThat(small.vram().estimate().totalBytes()).isEqualTo(FILE_SIZE + KV_PER_TOKEN * 8192 + 600_000_000L);
    assertThat(small.vram().fits()).isTrue();
    assertThat(large.vram().estimate().kvCacheBytes()).isEqualTo(KV_PER_TOKEN * 131_072); // 16 GiB
    assertThat(large.vram().fits()).isFalse();
    assertThat(large.vram().ramForSplitBytes()).isEqualTo(large.vram().estimate().totalBytes() - RTX_3060.vramBytes());
  }

  @Test
  void aModelWhoseArchitectureNoReportCarriedIsPlannedWithoutItsKvCacheAndSaysSo() {
    // llama-server reports name the model file but (before the agent reads its header) no architecture
    StatsRow withoutArchitecture = StatsRow.newBuilder(row(RTX_4090, 1, 88.4, 14)).setModelFacts(ModelFacts.newBuilder().setFileSizeBytes(FILE_SIZE).build()).build();

    Estimator.Estimate e = ESTIMATOR.estimate(request(RTX_3060, 8192, 1), List.of(withoutArchitecture), CALIBRATION);

    assertThat(e.vram().estimate().kvCacheBytes()).isZero();
    assertThat(e.vram().estimate().totalBytes()).isEqualTo(FILE_SIZE + 600_000_000L);
    assertThat(e.vramBasis().kind()).isEqualTo("partial");
    assertThat(e.vramBasis().text()).startsWith("KV cache unknown: no report of " + MODEL + " carried its architecture");
    assertThat(e.singleUserTokensPerSecond()).as("no depth term without the KV cache size").isCloseTo(1 / (0.004 + FILE_SIZE / (0.75 * 360e9)), within(1e-6));
  }

  @Test
  void aModelWhoseSizeNobodyKnowsCannotBePlanned() {
    assertThatThrownBy(() -> ESTIMATOR.estimate(new Estimator.Request("raw:mystery", RTX_4090, 1, "Q4_K_M", 8192, 1, "ollama", 512), List.of(), CALIBRATION))
        .isInstanceOf(Estimator.UnknownModelFacts.class).hasMessageContaining("parameter count of raw:mystery");
  }

  @Test
  void anM2UltraWith192GbHoldsA70bQ4ModelInItsUnifiedMemory() {
    GpuSpec m2Ultra = GpuCatalog.shared().byId("apple-m2-ultra-76c").orElseThrow();
    StatsRow llama70b = StatsRow.newBuilder()
        .setKey(new StatsKey("llama-3.3-70b-instruct", "nvidia-rtx-4090", 2, "Q4_K_M", "ollama", 8192, "tokbench-suite-1", OffloadClass.FULL_GPU, 1, "CUDA"))
        .setGenerationTokensPerSecond(new Percentiles(17.0, 18.0, 19.0, 20.0, 21.0)).setReportCount(3).setRigCount(3)
        .setFirstReportAt(Instant.EPOCH).setLastReportAt(Instant.EPOCH).setTypicalSetup(new TypicalSetup("linux", "0.5.7", "CUDA"))
        .setModelFacts(ModelFacts.newBuilder().setFileSizeBytes(42_520_395_584L).setParameterCount(70_553_706_496L).setKvCacheBytesPerToken(80L * 8 * 128 * 2 * 2).build())
        .build();

    Estimator.Estimate e = ESTIMATOR.estimate(new Estimator.Request("llama-3.3-70b-instruct", m2Ultra, 1, "Q4_K_M", 8192, 1, "ollama", 512), List.of(llama70b), CALIBRATION);

    assertThat(e.vram().availableBytes()).as("macOS lets the GPU use 3/4 of 192 GB").isEqualTo(144L * 1024 * 1024 * 1024);
    assertThat(e.vram().fits()).isTrue();
    assertThat(e.vram().headroomBytes()).isGreaterThan(90L * 1024 * 1024 * 1024);
    Estimator.Estimate small = ESTIMATOR.estimate(new Estimator.Request("llama-3.3-70b-instruct", m2Ultra, 1, "Q4_K_M", 8192, 1, "ollama", 512, null,
        32L * 1024 * 1024 * 1024), List.of(llama70b), CALIBRATION);
    assertThat(small.vram().fits()).as("the same chip with 32 GB").isFalse();
  }

  @Test
  void aVulkanRunIsPlannedWithTheVulkanCalibrationNotTheGpusUsualBackend() {
    Estimator.Request cuda = new Estimator.Request(MODEL, RTX_3060, 1, "Q4_K_M", 8192, 1, "llama.cpp", 512);
    Estimator.Request vulkan = new Estimator.Request(MODEL, RTX_3060, 1, "Q4_K_M", 8192, 1, "llama.cpp", 512, "VULKAN", null);

    Estimator.Estimate onCuda = ESTIMATOR.estimate(cuda, List.of(row(RTX_4090, 1, 88.4, 14)), CALIBRATION);
    Estimator.Estimate onVulkan = ESTIMATOR.estimate(vulkan, List.of(row(RTX_4090, 1, 88.4, 14)), CALIBRATION);

    assertThat(onCuda.basis().text()).startsWith("predicted from llama.cpp|CUDA|GDDR|Q4_K_M");
    assertThat(onVulkan.basis().text()).startsWith("predicted from llama.cpp|VULKAN/NVIDIA|GDDR|Q4_K_M");
    assertThat(onVulkan.singleUserTokensPerSecond()).isLessThan(onCuda.singleUserTokensPerSecond());
  }
}
