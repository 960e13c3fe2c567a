package io.tokbench.aggregator.estimate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.tokbench.catalog.GpuCatalog;
import io.tokbench.catalog.GpuSpec;
import io.tokbench.catalog.MemoryClass;
import io.tokbench.catalog.ModelCatalog;
import io.tokbench.schema.ModelFacts;
import io.tokbench.schema.OffloadClass;
import io.tokbench.schema.Percentiles;
import io.tokbench.schema.StatsKey;
import io.tokbench.schema.StatsRow;
import io.tokbench.schema.TypicalSetup;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The vendor term: a GPU vendor's memory system sets the share of bandwidth generation reaches
 * whatever the backend (AMD's RDNA cards on ROCm and on Vulkan alike), and a backend every vendor
 * implements (Vulkan) runs different kernels on each vendor's driver. A synthetic world with known
 * efficiencies and prompt scales per vendor: the fit recovers them, and a GPU of a backend too few
 * GPUs measured is predicted from its vendor's cards on the same memory class, not from another
 * vendor's.
 */
class VendorGroupsTest {
  private static final GpuCatalog GPUS = GpuCatalog.shared();
  private static final ModelCatalog MODELS = ModelCatalog.shared();
  private static final GenerationModel NVIDIA_TRUTH = new GenerationModel(0.002, 0.80);
  private static final GenerationModel AMD_TRUTH = new GenerationModel(0.002, 0.50);
  /** Prompt tokens/s × billions of parameters per FP16 TFLOPS on Vulkan: NVIDIA's cooperative-matrix kernels, AMD's RADV. */
  private static final Map<String, Double> VULKAN_PROMPT_SCALE = Map.of("NVIDIA", 300.0, "AMD", 120.0);
  private static final double CUDA_PROMPT_SCALE = 200.0;
  private static final long[] SIZES = {2_000_000_000L, 4_900_000_000L, 8_900_000_000L};
  private static final List<String> CUDA_GPUS = List.of("nvidia-rtx-3060-12gb", "nvidia-rtx-3090", "nvidia-rtx-4060-ti-16gb", "nvidia-rtx-4070",
      "nvidia-rtx-4080", "nvidia-rtx-4090");
  private static final List<String> VULKAN_NVIDIA_GPUS = List.of("nvidia-rtx-3060-12gb", "nvidia-rtx-3090", "nvidia-rtx-4070", "nvidia-rtx-4090");
  private static final List<String> VULKAN_AMD_GPUS = List.of("amd-rx-6800-xt", "amd-rx-7800-xt", "amd-rx-7600", "amd-rx-6700-xt");
  /** Two ROCm cards: holding one out leaves one, too few for a ROCm group of its own. */
  private static final List<String> ROCM_GPUS = List.of("amd-rx-7900-xtx", "amd-rx-7900-xt");

  @Test
  void aVulkanSetupIsGroupedByItsVendorAndGenerationFallsBackToTheVendorsMemoryClass() {
    GpuSpec radeon = GPUS.byId("amd-rx-7800-xt").orElseThrow();
    assertThat(CalibrationGroups.Setup.on(radeon, "llama.cpp", "VULKAN", "Q4_0").groups()).containsExactly(
        "llama.cpp|VULKAN/AMD/rdna3|GDDR|Q4_0", "llama.cpp|VULKAN/AMD|GDDR|Q4_0", "VULKAN/AMD/rdna3|GDDR", "AMD|GDDR", "GDDR",
        "llama.cpp|VULKAN/AMD|Q4_0", "VULKAN/AMD", "VULKAN", "global");
    assertThat(CalibrationGroups.Setup.on(radeon, "llama.cpp", "ROCM", "Q4_0").groups())
        .as("a vendor's own backend needs no vendor in its name")
        .containsExactly("llama.cpp|ROCM/rdna3|GDDR|Q4_0", "llama.cpp|ROCM|GDDR|Q4_0", "ROCM/rdna3|GDDR", "AMD|GDDR", "GDDR",
            "llama.cpp|ROCM|Q4_0", "ROCM", "global");
    assertThat(new CalibrationGroups.Setup("llama.cpp", "VULKAN", MemoryClass.GDDR, "Q4_0").groups())
        .as("no vendor known: the groups of before")
        .containsExactly("llama.cpp|VULKAN|GDDR|Q4_0", "VULKAN|GDDR", "GDDR", "llama.cpp|VULKAN|Q4_0", "VULKAN", "global");
  }

  @Test
  void eachVendorsEfficiencyAndVulkanPromptScaleAreRecovered() {
    CalibrationGroups groups = CalibrationGroups.fit(world(11), GPUS, MODELS, Instant.EPOCH);

    GenerationModel amd = groups.generation(setup("amd-rx-7800-xt", "VULKAN")).value();
    GenerationModel nvidia = groups.generation(setup("nvidia-rtx-4070", "VULKAN")).value();
    assertThat(amd.efficiency()).isCloseTo(AMD_TRUTH.efficiency(), within(0.03));
    assertThat(nvidia.efficiency()).isCloseTo(NVIDIA_TRUTH.efficiency(), within(0.04));
    assertThat(groups.promptScale(setup("amd-rx-7800-xt", "VULKAN")).value()).isCloseTo(VULKAN_PROMPT_SCALE.get("AMD"), within(6.0));
    assertThat(groups.promptScale(setup("nvidia-rtx-4070", "VULKAN")).value()).isCloseTo(VULKAN_PROMPT_SCALE.get("NVIDIA"), within(15.0));
    assertThat(groups.generation(setup("amd-rx-7900-xtx", "ROCM")).from().getGroupId())
        .as("two ROCm cards of one architecture are enough here (three models each), so their own group answers")
        .isEqualTo("llama.cpp|ROCM/rdna3|GDDR|Q4_K_M");
  }

  @Test
  void aRocmCardNobodyElseMeasuredOnRocmIsPredictedFromAmdCardsNotFromNvidiaOnes() {
    List<StatsRow> world = world(11);
    // Pooling is left out of both: it would pool the other ROCm card's group (3 rigs) in, which is not
    // what this measures (PoolingGroupsTest does).
    Evaluation.Result withVendor = Evaluation.leaveOneGpuOut(world, GPUS, MODELS, new ModelForm(Set.of(ModelForm.Term.POOLING)));
    Evaluation.Result withoutVendor = Evaluation.leaveOneGpuOut(world, GPUS, MODELS, new ModelForm(Set.of(ModelForm.Term.VENDOR, ModelForm.Term.POOLING)));

    Evaluation.Scores rocm = withVendor.by(Evaluation.Prediction::backend).get("ROCM");
    Evaluation.Scores rocmWithout = withoutVendor.by(Evaluation.Prediction::backend).get("ROCM");
    assertThat(rocm.generationCalibrated().rows()).isEqualTo(6);
    // 5 % noise: a fit of AMD's own efficiency lands about there; NVIDIA's 0.80 for AMD's 0.50 is
    // up to 60 % too fast (less where the 2 ms per token dominate).
    assertThat(rocm.generationCalibrated().medianAbsolutePercentageError()).isLessThan(8.0);
    assertThat(rocmWithout.generationCalibrated().medianAbsolutePercentageError()).isGreaterThan(25.0);
    assertThat(withVendor.by(Evaluation.Prediction::backend).get("VULKAN").promptCalibrated().medianAbsolutePercentageError())
        .as("Vulkan's prompt scale per vendor").isLessThan(8.0);
    assertThat(withoutVendor.by(Evaluation.Prediction::backend).get("VULKAN").promptCalibrated().medianAbsolutePercentageError()).isGreaterThan(25.0);
  }

  private static CalibrationGroups.Setup setup(String gpu, String backend) {
    return CalibrationGroups.Setup.on(GPUS.byId(gpu).orElseThrow(), "llama.cpp", backend, "Q4_K_M");
  }

  /** Three model sizes on every GPU of every backend, one rig each, 5 % noise. */
  private static List<StatsRow> world(long seed) {
    Random random = new Random(seed);
    List<StatsRow> rows = new ArrayList<>();
    CUDA_GPUS.forEach(gpu -> rows.addAll(rows(gpu, "CUDA", NVIDIA_TRUTH, CUDA_PROMPT_SCALE, random)));
    VULKAN_NVIDIA_GPUS.forEach(gpu -> rows.addAll(rows(gpu, "VULKAN", NVIDIA_TRUTH, VULKAN_PROMPT_SCALE.get("NVIDIA"), random)));
    VULKAN_AMD_GPUS.forEach(gpu -> rows.addAll(rows(gpu, "VULKAN", AMD_TRUTH, VULKAN_PROMPT_SCALE.get("AMD"), random)));
    ROCM_GPUS.forEach(gpu -> rows.addAll(rows(gpu, "ROCM", AMD_TRUTH, null, random)));
    return rows;
  }

  /** Three model sizes on one GPU, one rig each, generating as {@code truth} says with 5 % noise; prompt rates where a scale is given. */
  static List<StatsRow> rows(String gpuId, String backend, GenerationModel truth, Double promptScale, Random random) {
    GpuSpec gpu = GPUS.byId(gpuId).orElseThrow();
    List<StatsRow> rows = new ArrayList<>();
    for (int m = 0; m < SIZES.length; m++) {
      long parameters = Math.round(SIZES[m] / 0.6);
      double rate = truth.tokensPerSecond(gpu.bandwidthBytesPerSecond(), SIZES[m]) * Math.exp(random.nextGaussian() * 0.05);
      StatsRow.Builder row = StatsRow.newBuilder()
          .setKey(new StatsKey("synthetic-model-" + m, gpuId, 1, "Q4_K_M", "llama.cpp", 4096, "llama-bench-pp512-tg128", OffloadClass.FULL_GPU, 1, backend))
          .setGenerationTokensPerSecond(percentiles(rate))
          .setReportCount(1).setRigCount(1)
          .setFirstReportAt(Instant.EPOCH).setLastReportAt(Instant.EPOCH)
          .setTypicalSetup(new TypicalSetup("linux", "b7000", backend))
          .setModelFacts(ModelFacts.newBuilder().setFileSizeBytes(SIZES[m]).setParameterCount(parameters).build());
      if (promptScale != null) {
        double prompt = promptScale * gpu.fp16Tflops().getAsDouble() / (parameters / 1e9) * Math.exp(random.nextGaussian() * 0.05);
        row.setPromptTokensPerSecond(percentiles(prompt));
      }
      rows.add(row.build());
    }
    return rows;
  }

  private static Percentiles percentiles(double median) {
    return new Percentiles(median * 0.9, median * 0.95, median, median * 1.05, median * 1.1);
  }
}
