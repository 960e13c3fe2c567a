package io.tokbench.aggregator.estimate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.tokbench.aggregator.normalize.StatsKeys;
import io.tokbench.aggregator.state.CalibrationPoint;
import io.tokbench.schema.OffloadClass;
import io.tokbench.schema.StatsKey;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Each shared term of the speed model recovered from synthetic rows that follow known physics: the
 * rows are what a fleet measuring under exactly these terms would report, so the fit must give the
 * terms back.
 */
class PhysicsFitTest {
  private static final Physics TRUTH = new Physics(2.5, 1.6, 3.0, 0.0004, 5.0, 0.85, 0.8);
  private static final GenerationModel GENERATION = new GenerationModel(0.0015, 0.8);
  private static final double PROMPT_SCALE = 250;
  private static final double[] BANDWIDTHS = {360, 504, 936, 1008, 1792};
  private static final double[] FP16 = {51, 117, 142, 330, 419};
  /** Board power limits: at 0.8 TFLOPS per watt the third GPU (142 TFLOPS, 150 W) and the fourth (330 TFLOPS, 300 W) cannot sustain their peaks. */
  private static final double[] WATTS = {170, 200, 150, 300, 575};
  /** Dense models: file bytes, parameters, KV bytes per token, attention width. */
  private static final double[][] DENSE = {{4.9e9, 8.0e9, 131_072, 131_072}, {8.9e9, 14.8e9, 196_608, 245_760}, {2.0e9, 3.2e9, 114_688, 86_016}};
  private static final double[] MOE = {12.1e9, 20.9e9, 49_152, 98_304, 0.17};

  private static CalibrationPoint point(String setup, int gpu, int gpus, double[] model, double share, double depth, int promptLength, Physics truth) {
    double bandwidth = BANDWIDTHS[gpu] * 1e9;
    double generation = SpeedModel.generationTokensPerSecond(GENERATION, truth, model[0], share, (long) model[2], null, depth, bandwidth, gpus);
    double prompt = SpeedModel.promptTokensPerSecond(PROMPT_SCALE, truth, model[1], share, (long) model[3], promptLength, FP16[gpu], WATTS[gpu], gpus);
    return CalibrationPoint.newBuilder()
        .setStatsKey(key(setup, gpu, gpus, depth, promptLength)).setSetupKey(setup + "|" + gpu + "|" + gpus).setSingleGpuKey(key(setup, gpu, 1, depth, promptLength))
        .setConcurrency(1).setFullGpu(true).setRigCount(1).setGpuCount(gpus)
        .setGenerationTokensPerSecond(generation).setActiveShare(share).setKvBytesPerToken((long) model[2]).setGenerationDepth(depth)
        .setPromptLength(promptLength).setAttentionWidth((long) model[3]).setFp16Tflops(FP16[gpu]).setBoardPowerWatts(WATTS[gpu]).setPromptTokensPerSecond(prompt)
        .setParametersBillions(model[1] / 1e9).setBandwidthGBs(BANDWIDTHS[gpu]).setWeightsBytes((long) model[0])
        .build();
  }

  /** The row's key as the pipeline encodes it: the mixture's rows pair with the dense rows of their GPU by it. */
  private static String key(String setup, int gpu, int gpus, double depth, int promptLength) {
    return StatsKeys.encode(new StatsKey(setup, "gpu" + gpu, gpus, "Q4_K_M", "llama.cpp", 0, "d" + depth + "p" + promptLength, OffloadClass.FULL_GPU, 1, "CUDA"));
  }

  /** Every dense model on every GPU at four lengths (llama-bench's tgN/ppN), split rows on 2, 4 and 8 GPUs, and a mixture of experts. */
  private static List<CalibrationPoint> fleet(Physics truth) {
    List<CalibrationPoint> points = new ArrayList<>();
    for (int gpu = 0; gpu < BANDWIDTHS.length; gpu++) {
      for (int m = 0; m < DENSE.length; m++) {
        for (int n : new int[] {512, 1024, 4096, 8192}) {
          points.add(point("dense" + m, gpu, 1, DENSE[m], 1.0, n / 2.0, n, truth));
          for (int gpus : new int[] {2, 4, 8}) {
            points.add(point("dense" + m, gpu, gpus, DENSE[m], 1.0, n / 2.0, n, truth));
          }
        }
      }
      points.add(point("moe", gpu, 1, MOE, MOE[4], 64, 512, truth));
    }
    return points;
  }

  @Test
  void everyTermIsRecoveredFromRowsThatFollowIt() {
    Physics fitted = PhysicsFit.fit(fleet(TRUTH));

    assertThat(fitted.kvReadFactor()).as("depth").isCloseTo(2.5, within(0.25));
    assertThat(fitted.moeReadFactor()).as("mixture-of-experts reads").isCloseTo(1.6, within(0.16));
    assertThat(fitted.multiGpuSeconds()).as("layer split").isCloseTo(0.0004, within(1e-6));
    assertThat(fitted.promptAttentionFactor()).as("prompt attention").isCloseTo(5.0, within(0.01));
    assertThat(fitted.pipelineEfficiency()).as("pipeline").isCloseTo(0.85, within(1e-6));
    assertThat(fitted.moePromptFactor()).as("mixture-of-experts prompt work").isCloseTo(3.0, within(0.05));
    assertThat(fitted.tflopsPerWatt()).as("power limit").isCloseTo(0.8, within(0.008));
  }

  @Test
  void noPowerCapIsFittedWhereEveryGpuSustainsItsPeak() {
    Physics uncapped = new Physics(2.5, 1.6, 3.0, 0.0004, 5.0, 0.85, Physics.NO_POWER_CAP);
    Physics fitted = PhysicsFit.fit(fleet(uncapped));
    // Any cap the search may settle on lies above every GPU's peak per watt: it changes no prediction.
    for (int gpu = 0; gpu < FP16.length; gpu++) {
      assertThat(fitted.sustainedTflops(FP16[gpu], WATTS[gpu])).as("GPU %d", gpu).isEqualTo(FP16[gpu]);
    }
  }

  @Test
  void aTermNoRowShowsKeepsItsPrior() {
    // One depth, one GPU count, one prompt length, no mixture: nothing to fit the other terms from.
    List<CalibrationPoint> plain = new ArrayList<>();
    for (int gpu = 0; gpu < BANDWIDTHS.length; gpu++) {
      for (int m = 0; m < DENSE.length; m++) {
        plain.add(point("dense" + m, gpu, 1, DENSE[m], 1.0, 576, 512, TRUTH));
      }
    }
    Physics fitted = PhysicsFit.fit(plain);
    assertThat(new Physics(fitted.kvReadFactor(), fitted.moeReadFactor(), fitted.moePromptFactor(), fitted.multiGpuSeconds(),
        fitted.promptAttentionFactor(), fitted.pipelineEfficiency(), Physics.PRIOR.tflopsPerWatt())).isEqualTo(Physics.PRIOR);
    // The power cap needs only GPUs of different peaks per watt, which one prompt length on each shows.
    assertThat(fitted.tflopsPerWatt()).as("power limit").isCloseTo(0.8, within(0.008));
  }

  /**
   * The read factor compares a mixture with the dense rows of its own GPU: mixtures on GPUs nobody
   * measured a dense model on, or rows whose keys this release did not write (anyone can report),
   * pair with nothing and leave the factor at its prior instead of stopping the fit.
   */
  @Test
  void mixturesWithoutDenseRowsOnTheirGpuLeaveTheReadFactorAtItsPrior() {
    List<CalibrationPoint> unpaired = new ArrayList<>();
    for (int gpu = 0; gpu < BANDWIDTHS.length; gpu++) {
      unpaired.add(point("dense0", gpu, 1, DENSE[0], 1.0, 576, 512, TRUTH));
      CalibrationPoint mixture = point("moe", gpu, 1, MOE, MOE[4], 64, 512, TRUTH);
      // the same mixture on a GPU of its own, and under a key no release wrote
      unpaired.add(CalibrationPoint.newBuilder(mixture).setStatsKey(key("moe", gpu + 100, 1, 64, 512)).build());
      unpaired.add(CalibrationPoint.newBuilder(mixture).setStatsKey("moe|" + gpu + "|\u001f|not a key").build());
    }
    assertThat(PhysicsFit.fit(unpaired).moeReadFactor()).isEqualTo(Physics.PRIOR.moeReadFactor());
    // and once they do pair, the factor comes back
    List<CalibrationPoint> paired = new ArrayList<>(unpaired);
    for (int gpu = 0; gpu < BANDWIDTHS.length; gpu++) {
      paired.add(point("moe", gpu, 1, MOE, MOE[4], 64, 512, TRUTH));
    }
    assertThat(PhysicsFit.fit(paired).moeReadFactor()).isCloseTo(1.6, within(0.16));
  }

  @Test
  void aTermLeftOutIsNeutralAndTheOthersAreStillRecovered() {
    Physics withoutAll = PhysicsFit.fit(fleet(TRUTH), new ModelForm(java.util.EnumSet.allOf(ModelForm.Term.class)));
    assertThat(withoutAll).isEqualTo(new Physics(0.0, 1.0, 1.0, 0.0, 0.0, Physics.NO_PIPELINE, Physics.NO_POWER_CAP));
    assertThat(withoutAll.pipelineSpeedup(4, 2048)).as("no speed-up from a layer split").isEqualTo(1.0);

    // The prompt terms do not enter the generation fit: without them, generation's terms are unchanged.
    Physics withoutPrompt = PhysicsFit.fit(fleet(TRUTH), new ModelForm(java.util.Set.of(ModelForm.Term.PROMPT_ATTENTION, ModelForm.Term.PIPELINE)));
    Physics full = PhysicsFit.fit(fleet(TRUTH));
    assertThat(withoutPrompt.kvReadFactor()).isEqualTo(full.kvReadFactor());
    assertThat(withoutPrompt.moeReadFactor()).isEqualTo(full.moeReadFactor());
    assertThat(withoutPrompt.multiGpuSeconds()).isEqualTo(full.multiGpuSeconds());
    assertThat(withoutPrompt.promptAttentionFactor()).isZero();
  }

  @Test
  void theGlobalGroupCarriesTheFittedTermsToEveryOtherGroup() {
    var global = Calibrator.fitGlobal(fleet(TRUTH), java.time.Instant.EPOCH);

    Physics carried = Physics.of(global);
    assertThat(carried.multiGpuSeconds()).isCloseTo(0.0004, within(1e-6));
    assertThat(carried.pipelineEfficiency()).isCloseTo(0.85, within(1e-6));
    assertThat(global.getMultiGpuMillis()).isCloseTo(0.4, within(1e-3));
    assertThat(global.getBandwidthEfficiency()).as("under the fitted terms the dense rows give the generation model back").isCloseTo(0.8, within(0.03));
  }
}
