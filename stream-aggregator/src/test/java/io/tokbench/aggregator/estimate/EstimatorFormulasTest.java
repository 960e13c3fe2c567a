package io.tokbench.aggregator.estimate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.tokbench.aggregator.state.CalibrationPoint;
import io.tokbench.catalog.MemoryClass;
import io.tokbench.catalog.ModelCatalog;
import io.tokbench.normalize.ModelShape;
import io.tokbench.schema.Architecture;
import io.tokbench.schema.CalibrationRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The estimator's formulas: each checked on a known case, each fit on synthetic data with known answers. */
class EstimatorFormulasTest {
  private static final long GIB = 1024L * 1024 * 1024;
  // Llama 3.1 8B as Ollama's /api/show reports it: 32 layers, 32 query heads, 8 KV heads, hidden 4096.
  private static final Architecture LLAMA_3_1_8B = Architecture.newBuilder()
      .setBlockCount(32).setAttentionHeadCount(32).setAttentionHeadCountKv(8).setEmbeddingLength(4096).setContextLengthTrained(131072).build();

  @Test
  void kvCacheOfLlama31EightBIsAnEighthOfAMebibytePerToken() {
    // 32 layers × 8 KV heads × 128 head size × 2 (K and V) × 2 bytes = 131,072 bytes per token.
    assertThat(VramEstimate.kvBytesPerToken(LLAMA_3_1_8B, ModelShape.F16_BYTES)).isEqualTo(131_072L);
    VramEstimate estimate = VramEstimate.of(4_920_753_328L, LLAMA_3_1_8B, 8192, 1, 1.0, VramEstimate.PRIOR_OVERHEAD_BYTES);
    assertThat(estimate.kvCacheBytes()).isEqualTo(GIB);
    assertThat(estimate.totalBytes()).isEqualTo(4_920_753_328L + GIB + 500L * 1024 * 1024);
  }

  @Test
  void eightUsersAtThirtyTwoKNeedThirtyTwoGibOfCacheAndNoLongerFitOneRtx4090() {
    VramEstimate four = VramEstimate.of(4_920_753_328L, LLAMA_3_1_8B, 32768, 4, 1.0, VramEstimate.PRIOR_OVERHEAD_BYTES);
    assertThat(four.kvCacheBytes()).isEqualTo(16 * GIB);
    assertThat(four.fits(24 * GIB, 1)).as("4.6 + 16 + 0.5 GiB").isTrue();
    VramEstimate estimate = VramEstimate.of(4_920_753_328L, LLAMA_3_1_8B, 32768, 8, 1.0, VramEstimate.PRIOR_OVERHEAD_BYTES);
    assertThat(estimate.kvCacheBytes()).isEqualTo(32 * GIB);
    assertThat(estimate.fits(24 * GIB, 1)).isFalse();
    assertThat(estimate.ramForSplitBytes(24 * GIB, 1)).isEqualTo(estimate.totalBytes() - 24 * GIB);
    assertThat(estimate.fits(24 * GIB, 2)).isTrue();
    assertThat(estimate.headroomBytes(24 * GIB, 2)).isEqualTo(48 * GIB - estimate.totalBytes());
  }

  @Test
  void aReportedKeyLengthOverridesHiddenSizeOverHeads() {
    Architecture gemmaLike = Architecture.newBuilder().setBlockCount(42).setAttentionHeadCount(16).setAttentionHeadCountKv(8)
        .setEmbeddingLength(3584).setKeyLength(256).build();
    assertThat(VramEstimate.kvBytesPerToken(gemmaLike, 2)).isEqualTo(42L * 8 * 256 * 2 * 2);
  }

  @Test
  void theBandwidthBoundIsBandwidthOverBytesPerToken() {
    // RTX 4090, 1008 GB/s; 4.92 GB of weights → 204.9 tok/s at most.
    assertThat(GenerationModel.boundTokensPerSecond(1008e9, 4.92e9)).isCloseTo(204.88, within(0.01));
    assertThat(GenerationModel.PRIOR.tokensPerSecond(1008e9, 4.92e9)).isCloseTo(0.6 * 204.88, within(0.01));
  }

  @Test
  void theGenerationFitRecoversAKnownOverheadAndEfficiency() {
    GenerationModel truth = new GenerationModel(0.0025, 0.72);
    Random random = new Random(3);
    int n = 60;
    double[] x = new double[n];
    double[] seconds = new double[n];
    for (int i = 0; i < n; i++) {
      double bandwidth = 200e9 + random.nextDouble() * 3000e9;
      double bytes = 0.5e9 + random.nextDouble() * 40e9;
      x[i] = bytes / bandwidth;
      seconds[i] = 1 / truth.tokensPerSecond(bandwidth, bytes);
    }
    GenerationModel fitted = GenerationModel.fit(x, seconds, 0.0);
    assertThat(fitted.overheadSeconds()).isCloseTo(0.0025, within(1e-9));
    assertThat(fitted.efficiency()).isCloseTo(0.72, within(1e-9));
  }

  /**
   * Models of 16, 32 and 80 layers on GPUs of 300 GB/s to 3 TB/s, timed as 2 ms per 32 layers +
   * bytes ÷ (0.75 × bandwidth): the fit gives the overhead per 32 layers and the efficiency back,
   * and a small model's rate follows its own depth. One overhead per token, as before, cannot:
   * it misses some of these rows by more than 10 %.
   */
  @Test
  void theGenerationFitRecoversAnOverheadPaidOncePerLayer() {
    GenerationModel truth = new GenerationModel(0.002, 0.75);
    double[][] models = {{16, 0.8e9}, {32, 4.9e9}, {80, 42.5e9}};
    List<CalibrationPoint> points = new ArrayList<>();
    for (double bandwidth : new double[] {300, 448, 936, 1008, 1792, 3350}) {
      for (double[] model : models) {
        int blocks = (int) model[0];
        double rate = SpeedModel.generationTokensPerSecond(truth, Physics.PRIOR, model[1], 1.0, null, blocks, 0, bandwidth * 1e9, 1);
        points.add(CalibrationPoint.newBuilder().setStatsKey(bandwidth + "|" + blocks).setSetupKey(bandwidth + "|" + blocks)
            .setConcurrency(1).setFullGpu(true).setRigCount(1).setGpuCount(1).setGenerationTokensPerSecond(rate)
            .setBandwidthGBs(bandwidth).setWeightsBytes((long) model[1]).setBlockCount(blocks).build());
      }
    }
    GenerationModel fitted = Calibrator.fitGeneration(points, Physics.PRIOR, 0.0);
    assertThat(fitted.overheadSeconds()).isCloseTo(0.002, within(1e-6));
    assertThat(fitted.efficiency()).isCloseTo(0.75, within(1e-6));
    // An RTX 4090 (1008 GB/s) with the 16-layer 0.8 GB model: 1 ms of overhead, not 2.
    assertThat(1 / fitted.secondsPerToken(0.8e9 / 1008e9, 16)).isCloseTo(1 / (0.001 + 0.8e9 / 1008e9 / 0.75), within(0.1));

    List<CalibrationPoint> withoutLayers = points.stream().map(p -> CalibrationPoint.newBuilder(p).setBlockCount(null).build()).toList();
    GenerationModel perToken = Calibrator.fitGeneration(withoutLayers, Physics.PRIOR, 0.0);
    double worst = points.stream().mapToDouble(p -> Math.abs(p.getGenerationTokensPerSecond() * perToken.secondsPerToken(p.getWeightsBytes() / (p.getBandwidthGBs() * 1e9)) - 1))
        .max().orElseThrow();
    assertThat(worst).as("worst row under one overhead per token").isGreaterThan(0.10);
  }

  @Test
  void rigsStarvedByTheirHostDoNotMoveTheFitOfTheRest() {
    // Twelve rigs follow 2 ms + x / 0.8 within ±5 %; two more, on a slow host, take twice as long.
    // Least squares would tilt the line for every GPU of the group (1.57 ms and 0.74 here); Huber's
    // weights count the two as far-off rows and leave the line where the other twelve put it.
    GenerationModel truth = new GenerationModel(0.002, 0.8);
    Random random = new Random(7);
    double[] x = new double[14];
    double[] seconds = new double[14];
    for (int i = 0; i < x.length; i++) {
      x[i] = 0.002 + random.nextDouble() * 0.03;
      seconds[i] = truth.secondsPerToken(x[i]) * (i < 12 ? 1 + (random.nextDouble() - 0.5) * 0.1 : 2.0);
    }
    GenerationModel fitted = GenerationModel.fit(x, seconds, 0.0);
    assertThat(fitted.overheadSeconds()).isCloseTo(0.002, within(0.0004));
    assertThat(fitted.efficiency()).isCloseTo(0.8, within(0.04));
  }

  @Test
  void relativeResidualsKeepOneSlowChipFromDecidingTheFit() {
    // Four fast GPUs follow 1 ms + x / 0.8; one slow chip is 20 % slower than that law. In absolute
    // seconds the slow chip outweighs all the others; in relative terms it is one row of five.
    double[] x = {0.002, 0.003, 0.005, 0.008, 0.06};
    double[] seconds = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      seconds[i] = (0.001 + x[i] / 0.8) * (i == x.length - 1 ? 1.2 : 1.0);
    }
    GenerationModel fitted = GenerationModel.fit(x, seconds, 0.0);
    // an unweighted line through the same points
    double mx = java.util.Arrays.stream(x).average().orElseThrow();
    double mt = java.util.Arrays.stream(seconds).average().orElseThrow();
    double sxx = 0;
    double sxt = 0;
    for (int i = 0; i < x.length; i++) {
      sxx += (x[i] - mx) * (x[i] - mx);
      sxt += (x[i] - mx) * (seconds[i] - mt);
    }
    double slope = sxt / sxx;
    double intercept = mt - slope * mx;
    double worstWeighted = 0;
    double worstUnweighted = 0;
    for (int i = 0; i < 4; i++) {
      worstWeighted = Math.max(worstWeighted, Math.abs(fitted.secondsPerToken(x[i]) / seconds[i] - 1));
      worstUnweighted = Math.max(worstUnweighted, Math.abs((intercept + slope * x[i]) / seconds[i] - 1));
    }
    assertThat(worstWeighted).as("worst fast GPU, relative fit").isLessThan(0.07);
    assertThat(worstUnweighted).as("worst fast GPU, absolute fit").isGreaterThan(0.15);
  }

  @Test
  void rowsThatBarelySpreadTakeTheOverheadPriorAndFitTheEfficiencyAlone() {
    // Two nearly equal bandwidths: a line through them is noise (it once gave efficiency 0.054).
    GenerationModel truth = new GenerationModel(0.0015, 0.8);
    double[] x = {4.88e9 / 1008e9, 4.88e9 / 960e9};
    double[] seconds = {truth.secondsPerToken(x[0]) * 1.02, truth.secondsPerToken(x[1]) * 0.98};
    GenerationModel fitted = GenerationModel.fit(x, seconds, 0.0015);
    assertThat(fitted.overheadSeconds()).isEqualTo(0.0015);
    assertThat(fitted.efficiency()).isCloseTo(0.8, within(0.02));
  }

  @Test
  void anEfficiencyClampedAtOneHasItsOverheadRefittedAndAnOverheadClampedAtZeroItsEfficiency() {
    // Faster than the bandwidth allows at any overhead the line would give: efficiency 1, and the
    // rest of each token's time is the overhead, fitted under that clamp (not left at the line's).
    double[] x = {0.002, 0.004, 0.008};
    double[] seconds = {0.0031, 0.0049, 0.0089};
    GenerationModel clamped = GenerationModel.fit(x, seconds, 0.0);
    assertThat(clamped.efficiency()).isEqualTo(1.0);
    assertThat(clamped.overheadSeconds()).isCloseTo(0.001, within(1e-4));
    // A negative intercept: no overhead, and the efficiency refitted through the origin.
    double[] y = {0.002 / 0.72 - 0.0001, 0.004 / 0.72 - 0.0001, 0.008 / 0.72 - 0.0001};
    GenerationModel zero = GenerationModel.fit(x, y, 0.0);
    assertThat(zero.overheadSeconds()).isZero();
    assertThat(zero.efficiency()).isCloseTo(0.72, within(0.03));
  }

  @Test
  void smallModelsOnFastGpusFallFurthestBelowTheirBound() {
    GenerationModel model = new GenerationModel(0.003, 0.8);
    double smallOnH100 = model.tokensPerSecond(3350e9, 1.0e9) / GenerationModel.boundTokensPerSecond(3350e9, 1.0e9);
    double bigOnRtx3060 = model.tokensPerSecond(360e9, 8.0e9) / GenerationModel.boundTokensPerSecond(360e9, 8.0e9);
    assertThat(smallOnH100).isLessThan(0.1);
    assertThat(bigOnRtx3060).isGreaterThan(0.7);
  }

  @Test
  void theConcurrencyFitRecoversAKnownSaturatingCurve() {
    ConcurrencyCurve truth = new ConcurrencyCurve(6.5, 3.2);
    int[] users = {1, 2, 4, 8, 16, 32};
    double[] gains = new double[users.length];
    for (int i = 0; i < users.length; i++) {
      gains[i] = truth.gain(users[i]);
    }
    ConcurrencyCurve fitted = ConcurrencyCurve.fit(users, gains);
    assertThat(fitted.saturationGain()).isCloseTo(6.5, within(0.05));
    assertThat(fitted.halfSaturationUsers()).isCloseTo(3.2, within(0.05));
    assertThat(fitted.perUserTokensPerSecond(50, 8)).isCloseTo(truth.perUserTokensPerSecond(50, 8), within(0.1));
  }

  @Test
  void theRuleOfThumbPriorGainsAboutSeventyPercentPerDoublingEarlyThenFlattens() {
    assertThat(ConcurrencyCurve.PRIOR.gain(1)).isEqualTo(1.0);
    assertThat(ConcurrencyCurve.PRIOR.gain(2)).isCloseTo(1.7, within(0.35));
    assertThat(ConcurrencyCurve.PRIOR.gain(64) - ConcurrencyCurve.PRIOR.gain(32)).isLessThan(0.5);
  }

  @Test
  void theFallbackChainPrefersTheNarrowestGroupWithEnoughRigsParameterByParameter() {
    CalibrationGroups groups = new CalibrationGroups(Map.of(
        "ollama|CUDA|GDDR|Q4_K_M", group("ollama|CUDA|GDDR|Q4_K_M", 14, 2.0, 0.7).setKvCacheFactor(null).setRuntimeOverheadBytes(null).build(),
        "llama.cpp|CUDA|GDDR|Q8_0", group("llama.cpp|CUDA|GDDR|Q8_0", 2, 1.0, 0.9).build(),
        "CUDA|GDDR", group("CUDA|GDDR", 40, 3.0, 0.65).build(),
        "ollama|CUDA|Q4_K_M", group("ollama|CUDA|Q4_K_M", 14, 2.0, 0.7).setKvCacheFactor(null).setRuntimeOverheadBytes(null).build(),
        "CUDA", group("CUDA", 52, 3.0, 0.6).setKvCacheFactor(1.1).setRuntimeOverheadBytes(600_000_000L).build(),
        "HBM", group("HBM", 12, 3.4, 0.5).build()));
    CalibrationGroups.Setup ollama = new CalibrationGroups.Setup("ollama", "CUDA", MemoryClass.GDDR, "Q4_K_M");
    CalibrationGroups.Setup q8 = new CalibrationGroups.Setup("llama.cpp", "CUDA", MemoryClass.GDDR, "Q8_0");
    CalibrationGroups.Setup metal = new CalibrationGroups.Setup("ollama", "METAL", MemoryClass.UNIFIED, "Q4_K_M");
    CalibrationGroups.Setup hbm = new CalibrationGroups.Setup("llama.cpp", "CUDA", MemoryClass.HBM, "Q4_K_M");

    assertThat(groups.generation(ollama).from().getGroupId()).isEqualTo("ollama|CUDA|GDDR|Q4_K_M");
    assertThat(groups.generation(ollama).value()).isEqualTo(new GenerationModel(0.002, 0.7));
    assertThat(groups.vram(ollama).from().getGroupId()).as("VRAM follows the backend's chain; its narrow group measured none").isEqualTo("CUDA");
    assertThat(groups.generation(q8).from().getGroupId()).as("2 rigs are too few on their own").isEqualTo("CUDA|GDDR");
    assertThat(groups.generation(q8).basis()).as("but pooled with it").isEqualTo("llama.cpp|CUDA|GDDR|Q8_0 (2 rigs) pooled with CUDA|GDDR (40 rigs)");
    assertThat(groups.generation(hbm).from().getGroupId()).as("an HBM GPU never takes the GDDR cards' fit").isEqualTo("HBM");
    assertThat(groups.generation(metal).from()).isEqualTo(CalibrationGroups.PRIOR);
    assertThat(groups.generation(metal).value()).isEqualTo(GenerationModel.PRIOR);
    assertThat(groups.generation(metal).basis()).isEqualTo("the uncalibrated prior");
    assertThat(groups.generation(ollama).basis()).isEqualTo("ollama|CUDA|GDDR|Q4_K_M (14 rigs)");
    assertThat(groups.physics()).as("no global group yet").isEqualTo(Physics.PRIOR);
  }

  /** A calibration group of this many rigs with this generation line, the rest the prior's; shared by the estimator tests. */
  static CalibrationRecord.Builder group(String id, int rigs, double overheadMillis, double efficiency) {
    return CalibrationRecord.newBuilder(CalibrationGroups.PRIOR).setGroupId(id).setLevel(CalibrationGroups.levelOf(id))
        .setRigCount(rigs).setRowCount(rigs).setOverheadMillisPerToken(overheadMillis).setBandwidthEfficiency(efficiency);
  }

  @Test
  void aSuiteIdSaysWhatItMeasuredAndHowDeepItsGenerationRan() {
    assertThat(SuiteShape.of("tokbench-suite-1")).isEqualTo(new SuiteShape(512, 128, 0, true));
    assertThat(SuiteShape.of("tokbench-suite-1").meanGenerationDepth()).as("after its 512-token prompt, 64 tokens in on average").isEqualTo(576.0);
    assertThat(SuiteShape.of("tokbench-suite-1-pp1024-tg256").meanGenerationDepth()).isEqualTo(1024 + 128.0);
    assertThat(SuiteShape.of("llama-bench-pp512-tg128").meanGenerationDepth()).as("llama-bench's tg128 starts from an empty context").isEqualTo(64.0);
    assertThat(SuiteShape.of("llama-bench-pp4096-tg4096-d8192").meanGenerationDepth()).isEqualTo(8192 + 2048.0);
    assertThat(SuiteShape.of("llama-bench-pp4096-tg4096").meanPromptDepth()).isEqualTo(2048.0);
  }

  @Test
  void aMixtureOfExpertsTheCatalogLacksIsReadAsItsMetadataSays() {
    // Qwen3-30B-A3B: 128 experts, 8 per token; 95 % of a mixture's parameters sit in its experts.
    assertThat(ActiveShare.fromExperts(128, 8)).isCloseTo(0.05 + 0.95 * 8 / 128, within(1e-12));
    assertThat(ActiveShare.fromExperts(128, 8)).as("its catalogued active share is 3.3 / 30.5").isCloseTo(3.3 / 30.5, within(0.005));
    assertThat(ActiveShare.fromExperts(null, null)).isEqualTo(1.0);
    assertThat(ActiveShare.fromExperts(8, 8)).isEqualTo(1.0);
    assertThat(ActiveShare.of("gpt-oss-20b", null, ModelCatalog.shared())).isCloseTo(3.6 / 21, within(1e-9));
  }

  @Test
  void physicsTermsScaleWhatATokenReadsAndCosts() {
    Physics physics = new Physics(3.0, 1.5, 2.5, 0.0004, 5.0, 0.9, Physics.NO_POWER_CAP);
    assertThat(physics.weightsReadBytes(12e9, 1.0)).isEqualTo(12e9);
    assertThat(physics.weightsReadBytes(12e9, 0.2)).isCloseTo(3.6e9, within(1.0));
    assertThat(physics.weightsReadBytes(12e9, 0.9)).as("never more than the file").isEqualTo(12e9);
    assertThat(physics.kvReadBytes(131_072, 4096)).isEqualTo(3.0 * 131_072 * 4096);
    assertThat(physics.multiGpuSecondsPerToken(1)).isZero();
    assertThat(physics.multiGpuSecondsPerToken(4)).isCloseTo(0.0008, within(1e-12));
    assertThat(Physics.idealPipelineSpeedup(4, 512)).as("one micro-batch: no overlap").isEqualTo(1.0);
    assertThat(Physics.idealPipelineSpeedup(4, 8192)).as("a 2048-token batch is 4 micro-batches").isCloseTo(16.0 / 7, within(1e-12));
    assertThat(physics.pipelineSpeedup(4, 8192)).isCloseTo(0.9 * 16.0 / 7, within(1e-12));
  }
}
