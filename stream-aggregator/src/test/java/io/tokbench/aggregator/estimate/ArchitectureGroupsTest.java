package io.tokbench.aggregator.estimate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.tokbench.catalog.GpuCatalog;
import io.tokbench.catalog.ModelCatalog;
import io.tokbench.schema.StatsRow;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The architecture term: a backend picks its kernels per GPU architecture, so cards of one backend
 * and memory class read different shares of their bandwidth by generation of chip (on ROCm an RX
 * 7900 XTX, RDNA 3, reads 41 % per token in the published results and an RX 9070 XT, RDNA 4, 72 %).
 * A synthetic ROCm world with a known efficiency per architecture: the fit recovers each, and a card
 * nobody else measured is predicted from its architecture's siblings.
 */
class ArchitectureGroupsTest {
  private static final GpuCatalog GPUS = GpuCatalog.shared();
  private static final ModelCatalog MODELS = ModelCatalog.shared();
  private static final GenerationModel RDNA3_TRUTH = new GenerationModel(0.002, 0.45);
  private static final GenerationModel RDNA4_TRUTH = new GenerationModel(0.002, 0.75);
  private static final List<String> RDNA3 = List.of("amd-rx-7900-xtx", "amd-rx-7900-xt", "amd-rx-7900-gre", "amd-rx-7800-xt", "amd-radeon-pro-w7900");
  private static final List<String> RDNA4 = List.of("amd-rx-9070-xt", "amd-rx-9070", "amd-rx-9070-gre", "amd-rx-9060-xt-16gb", "amd-radeon-ai-pro-r9700");

  @Test
  void eachArchitecturesEfficiencyIsRecovered() {
    CalibrationGroups groups = CalibrationGroups.fit(world(5), GPUS, MODELS, Instant.EPOCH);

    CalibrationGroups.Calibrated<GenerationModel> rdna3 = groups.generation(setup("amd-rx-7900-xtx"));
    CalibrationGroups.Calibrated<GenerationModel> rdna4 = groups.generation(setup("amd-rx-9070-xt"));
    assertThat(rdna3.from().getGroupId()).isEqualTo("llama.cpp|ROCM/rdna3|GDDR|Q4_K_M");
    assertThat(rdna4.from().getGroupId()).isEqualTo("llama.cpp|ROCM/rdna4|GDDR|Q4_K_M");
    assertThat(rdna3.value().efficiency()).isCloseTo(RDNA3_TRUTH.efficiency(), within(0.03));
    assertThat(rdna4.value().efficiency()).isCloseTo(RDNA4_TRUTH.efficiency(), within(0.04));
  }

  @Test
  void aCardIsPredictedFromItsArchitecturesSiblingsNotFromEveryCardOfItsBackend() {
    List<StatsRow> world = world(5);
    Evaluation.Scores with = Evaluation.leaveOneGpuOut(world, GPUS, MODELS).overall();
    Evaluation.Scores without = Evaluation.leaveOneGpuOut(world, GPUS, MODELS, new ModelForm(Set.of(ModelForm.Term.ARCHITECTURE))).overall();

    assertThat(with.generationCalibrated().rows()).isEqualTo(30);
    // 5 % noise: a fit of the card's own architecture lands about there; one fit of both reads
    // about 0.6 of the bandwidth, a third off either way.
    assertThat(with.generationCalibrated().medianAbsolutePercentageError()).isLessThan(6.0);
    assertThat(without.generationCalibrated().medianAbsolutePercentageError()).isGreaterThan(20.0);
  }

  private static CalibrationGroups.Setup setup(String gpu) {
    return CalibrationGroups.Setup.on(GPUS.byId(gpu).orElseThrow(), "llama.cpp", "ROCM", "Q4_K_M");
  }

  /** Three model sizes on every card, one rig each, 5 % noise. */
  private static List<StatsRow> world(long seed) {
    Random random = new Random(seed);
    List<StatsRow> rows = new ArrayList<>();
    RDNA3.forEach(gpu -> rows.addAll(VendorGroupsTest.rows(gpu, "ROCM", RDNA3_TRUTH, null, random)));
    RDNA4.forEach(gpu -> rows.addAll(VendorGroupsTest.rows(gpu, "ROCM", RDNA4_TRUTH, null, random)));
    return rows;
  }
}
