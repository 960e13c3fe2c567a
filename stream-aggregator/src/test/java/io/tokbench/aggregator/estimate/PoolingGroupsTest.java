package io.tokbench.aggregator.estimate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.tokbench.catalog.GpuCatalog;
import io.tokbench.catalog.ModelCatalog;
import io.tokbench.schema.CalibrationRecord;
import io.tokbench.schema.StatsRow;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Pooling: a generation group on fewer rigs than {@link CalibrationGroups#MIN_RIGS} is not trusted
 * alone, but it is the most specific evidence there is about a setup, so its line is pooled with
 * the established group's at weight n / (n + 2) instead of being passed over.
 */
class PoolingGroupsTest {
  private static final GpuCatalog GPUS = GpuCatalog.shared();
  private static final ModelCatalog MODELS = ModelCatalog.shared();
  private static final CalibrationGroups.Setup XTX_ON_ROCM = CalibrationGroups.Setup.on(GPUS.byId("amd-rx-7900-xtx").orElseThrow(), "llama.cpp", "ROCM", "Q4_K_M");
  private static final String NARROW = "llama.cpp|ROCM/rdna3|GDDR|Q4_K_M";
  private static final String VENDOR = "AMD|GDDR";

  @Test
  void aSmallGroupMovesThePredictionByItsShareOfRigs() {
    GenerationModel small = new GenerationModel(0.001, 0.80);
    GenerationModel established = new GenerationModel(0.004, 0.40);

    for (int rigs = 1; rigs < CalibrationGroups.MIN_RIGS; rigs++) {
      CalibrationGroups.Calibrated<GenerationModel> pooled = groups(small, rigs, established).generation(XTX_ON_ROCM);
      double weight = rigs / (rigs + CalibrationGroups.POOLING_RIGS);
      assertThat(pooled.value().efficiency()).as("%d rigs", rigs).isCloseTo(0.40 * Math.pow(2, weight), within(1e-12));
      assertThat(pooled.value().overheadSeconds()).as("%d rigs", rigs).isCloseTo(0.004 - 0.003 * weight, within(1e-12));
      assertThat(pooled.from().getGroupId()).as("the band and rig count stay the established group's").isEqualTo(VENDOR);
      assertThat(pooled.pooled().getGroupId()).isEqualTo(NARROW);
    }
    // one rig a third of the way (twice as efficient: 2^(1/3) as efficient), four rigs two thirds
    assertThat(groups(small, 1, established).generation(XTX_ON_ROCM).value().efficiency()).isCloseTo(0.40 * Math.cbrt(2), within(1e-12));
    assertThat(groups(small, 4, established).generation(XTX_ON_ROCM).value().efficiency()).isCloseTo(0.40 * Math.cbrt(4), within(1e-12));
    assertThat(groups(small, 1, established).generation(XTX_ON_ROCM).basis())
        .isEqualTo("llama.cpp|ROCM/rdna3|GDDR|Q4_K_M (1 rig) pooled with AMD|GDDR (25 rigs)");
  }

  /** A slower group counts as far as a faster one: pooling is symmetric in log efficiency. */
  @Test
  void twiceAsSlowMovesAsFarAsTwiceAsFast() {
    GenerationModel established = new GenerationModel(0.002, 0.40);
    double faster = groups(new GenerationModel(0.002, 0.80), 2, established).generation(XTX_ON_ROCM).value().efficiency();
    double slower = groups(new GenerationModel(0.002, 0.20), 2, established).generation(XTX_ON_ROCM).value().efficiency();
    assertThat(faster).isCloseTo(0.40 * Math.sqrt(2), within(1e-12));
    assertThat(faster / 0.40).isCloseTo(0.40 / slower, within(1e-12));
  }

  /** Of several groups short of 5 rigs, the narrowest with any rig is pooled; an empty one is passed over. */
  @Test
  void theNarrowestGroupWithRigsIsPooled() {
    String architectureOnClass = "ROCM/rdna3|GDDR";
    GenerationModel established = new GenerationModel(0.002, 0.40);
    CalibrationGroups groups = new CalibrationGroups(Map.of(
        NARROW, record(NARROW, new GenerationModel(0.002, 0.90), 0),
        architectureOnClass, record(architectureOnClass, new GenerationModel(0.002, 0.80), 3),
        VENDOR, record(VENDOR, established, 25)));

    CalibrationGroups.Calibrated<GenerationModel> pooled = groups.generation(XTX_ON_ROCM);
    assertThat(pooled.pooled().getGroupId()).isEqualTo(architectureOnClass);
    assertThat(pooled.value().efficiency()).isCloseTo(0.40 * Math.pow(2, 3 / 5.0), within(1e-12));
  }

  /**
   * One rig reporting a twentieth of the rate its card's class reaches (a broken run, or someone
   * poisoning the table) moves its setup's efficiency by 4^(1/3), not 20^(1/3); a huge overhead counts
   * as 4 times the established one, or the class's prior where that is larger, at most. A group 20
   * times as efficient is held to 4 times in the same way.
   */
  @Test
  void oneBrokenRigMovesItsSetupBoundedly() {
    GenerationModel broken = new GenerationModel(1.0, 0.03);

    GenerationModel pooled = groups(broken, 1, new GenerationModel(0.004, 0.60)).generation(XTX_ON_ROCM).value();
    assertThat(pooled.efficiency()).isCloseTo(0.60 / Math.cbrt(CalibrationGroups.POOLING_MAX_FACTOR), within(1e-12));
    assertThat(pooled.overheadSeconds()).as("4 × 4 ms").isCloseTo(0.004 + (0.016 - 0.004) / 3, within(1e-12));
    assertThat(pooled.tokensPerSecond(960e9, 4e9)).as("predicted rate against the established group's")
        .isGreaterThan(0.5 * new GenerationModel(0.004, 0.60).tokensPerSecond(960e9, 4e9));

    double gddrPrior = Calibrator.overheadPrior(NARROW);
    GenerationModel overNothing = groups(broken, 1, new GenerationModel(0.0, 0.60)).generation(XTX_ON_ROCM).value();
    assertThat(overNothing.overheadSeconds()).as("an established overhead of 0: 4 × the GDDR prior").isCloseTo(4 * gddrPrior / 3, within(1e-12));

    GenerationModel tooFast = groups(new GenerationModel(0.002, 1.0), 1, new GenerationModel(0.002, 0.05)).generation(XTX_ON_ROCM).value();
    assertThat(tooFast.efficiency()).isCloseTo(0.05 * Math.cbrt(CalibrationGroups.POOLING_MAX_FACTOR), within(1e-12));
  }

  @Test
  void anEstablishedGroupStandsAlone() {
    GenerationModel small = new GenerationModel(0.001, 0.80);
    CalibrationGroups.Calibrated<GenerationModel> own = groups(small, CalibrationGroups.MIN_RIGS, new GenerationModel(0.004, 0.45)).generation(XTX_ON_ROCM);
    assertThat(own.value()).isEqualTo(small);
    assertThat(own.pooled()).isNull();
    assertThat(own.basis()).isEqualTo("llama.cpp|ROCM/rdna3|GDDR|Q4_K_M (5 rigs)");
  }

  @Test
  void withNothingEstablishedASmallGroupIsPooledWithThePrior() {
    GenerationModel small = new GenerationModel(0.001, 0.80);
    CalibrationGroups.Calibrated<GenerationModel> pooled = new CalibrationGroups(Map.of(NARROW, record(NARROW, small, 2))).generation(XTX_ON_ROCM);
    assertThat(pooled.value().efficiency()).isCloseTo(Math.sqrt(0.80 * GenerationModel.PRIOR.efficiency()), within(1e-12));
    assertThat(pooled.value().overheadSeconds()).isCloseTo((0.001 + GenerationModel.PRIOR.overheadSeconds()) / 2, within(1e-12));
    assertThat(pooled.basis()).isEqualTo("llama.cpp|ROCM/rdna3|GDDR|Q4_K_M (2 rigs) pooled with the uncalibrated prior");
  }

  /**
   * A synthetic ROCm world with a known efficiency per architecture: five RDNA 3 cards at 0.45 and
   * two RDNA 4 cards at 0.75, three rigs each. Leaving one RDNA 4 card out, its architecture's group
   * rests on the other card's 3 rigs, short of 5: passed over, the card is predicted from the ROCm
   * group the RDNA 3 cards dominate, 28 % slow (median; 5 % noise); pooled at 3 / 5, 12 % slow.
   */
  @Test
  void aRareArchitectureOnFewRigsStillMovesItsCardsPredictions() {
    Random random = new Random(7);
    List<StatsRow> world = new ArrayList<>();
    GenerationModel rdna3 = new GenerationModel(0.002, 0.45);
    GenerationModel rdna4 = new GenerationModel(0.002, 0.75);
    List.of("amd-rx-7900-xtx", "amd-rx-7900-xt", "amd-rx-7900-gre", "amd-rx-7800-xt", "amd-radeon-pro-w7900")
        .forEach(gpu -> world.addAll(VendorGroupsTest.rows(gpu, "ROCM", rdna3, null, random)));
    List.of("amd-rx-9070-xt", "amd-radeon-ai-pro-r9700").forEach(gpu -> world.addAll(VendorGroupsTest.rows(gpu, "ROCM", rdna4, null, random)));

    double with = rdna4Error(Evaluation.leaveOneGpuOut(world, GPUS, MODELS));
    double without = rdna4Error(Evaluation.leaveOneGpuOut(world, GPUS, MODELS, new ModelForm(Set.of(ModelForm.Term.POOLING))));
    assertThat(without).isGreaterThan(25.0);
    assertThat(with).isLessThan(15.0);
  }

  private static double rdna4Error(Evaluation.Result result) {
    return Evaluation.Scores.of(result.predictions().stream()
        .filter(p -> GPUS.byId(p.row().getKey().getGpu()).orElseThrow().architecture().equals("rdna4")).toList())
        .generationCalibrated().medianAbsolutePercentageError();
  }

  private static CalibrationGroups groups(GenerationModel small, int smallRigs, GenerationModel established) {
    return new CalibrationGroups(Map.of(NARROW, record(NARROW, small, smallRigs), VENDOR, record(VENDOR, established, 25)));
  }

  private static CalibrationRecord record(String id, GenerationModel model, int rigs) {
    return EstimatorFormulasTest.group(id, rigs, model.overheadSeconds() * 1e3, model.efficiency()).build();
  }
}
