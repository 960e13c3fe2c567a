package io.tokbench.aggregator.estimate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.tokbench.schema.Architecture;
import io.tokbench.schema.CalibrationRecord;
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
    assertThat(VramEstimate.kvBytesPerToken(LLAMA_3_1_8B, VramEstimate.F16_BYTES)).isEqualTo(131_072L);
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
    double[] rate = new double[n];
    for (int i = 0; i < n; i++) {
      double bandwidth = 200e9 + random.nextDouble() * 3000e9;
      double bytes = 0.5e9 + random.nextDouble() * 40e9;
      x[i] = bytes / bandwidth;
      rate[i] = truth.tokensPerSecond(bandwidth, bytes);
    }
    GenerationModel fitted = GenerationModel.fit(x, rate);
    assertThat(fitted.overheadSeconds()).isCloseTo(0.0025, within(1e-9));
    assertThat(fitted.efficiency()).isCloseTo(0.72, within(1e-9));
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
        "ollama|CUDA|Q4", group("ollama|CUDA|Q4", 14, 2.0, 0.7).setKvCacheFactor(null).setRuntimeOverheadBytes(null).build(),
        "llama.cpp|CUDA|Q8", group("llama.cpp|CUDA|Q8", 2, 1.0, 0.9).build(),
        "CUDA", group("CUDA", 40, 3.0, 0.65).setKvCacheFactor(1.1).setRuntimeOverheadBytes(600_000_000L).build()));

    assertThat(groups.generation("ollama", "CUDA", "Q4_K_M").from().getGroupId()).isEqualTo("ollama|CUDA|Q4");
    assertThat(groups.generation("ollama", "CUDA", "Q4_K_M").value()).isEqualTo(new GenerationModel(0.002, 0.7));
    assertThat(groups.vram("ollama", "CUDA", "Q4_K_M").from().getGroupId()).as("the narrow group measured no VRAM").isEqualTo("CUDA");
    assertThat(groups.generation("llama.cpp", "CUDA", "Q8_0").from().getGroupId()).as("2 rigs are too few").isEqualTo("CUDA");
    assertThat(groups.generation("ollama", "METAL", "Q4_K_M").from()).isEqualTo(CalibrationGroups.PRIOR);
    assertThat(groups.generation("ollama", "METAL", "Q4_K_M").value()).isEqualTo(GenerationModel.PRIOR);
    assertThat(groups.generation("ollama", "METAL", "Q4_K_M").basis()).isEqualTo("the uncalibrated prior");
    assertThat(groups.generation("ollama", "CUDA", "Q4_K_M").basis()).isEqualTo("ollama|CUDA|Q4 (14 rigs)");
  }

  private static CalibrationRecord.Builder group(String id, int rigs, double overheadMillis, double efficiency) {
    return CalibrationRecord.newBuilder(CalibrationGroups.PRIOR).setGroupId(id).setLevel(CalibrationGroups.levelOf(id))
        .setRigCount(rigs).setRowCount(rigs).setOverheadMillisPerToken(overheadMillis).setBandwidthEfficiency(efficiency);
  }

  @Test
  void quantizationFamiliesGroupFormatsThatReadAlike() {
    assertThat(CalibrationGroups.quantFamily("Q4_K_M")).isEqualTo("Q4");
    assertThat(CalibrationGroups.quantFamily("IQ4_XS")).isEqualTo("Q4");
    assertThat(CalibrationGroups.quantFamily("Q8_0")).isEqualTo("Q8");
    assertThat(CalibrationGroups.quantFamily("F16")).isEqualTo("F16");
  }
}
