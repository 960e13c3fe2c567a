package io.tokbench.aggregator.estimate;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokbench.aggregator.estimate.published.PublishedResults;
import io.tokbench.catalog.GpuCatalog;
import io.tokbench.catalog.ModelCatalog;
import io.tokbench.schema.OffloadClass;
import io.tokbench.schema.StatsRow;
import java.io.IOException;
import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The estimator on real hardware: leave-one-GPU-out over published results (llama.cpp scoreboards,
 * benchmark repositories, Ollama users; src/test/resources/published, sources in sources.csv),
 * mapped to statistics rows as the pipeline would have produced them.
 */
class PublishedEvaluationTest {
  private static final Path PUBLISHED = Path.of("src/test/resources/published");
  private static List<PublishedResults.PublishedRow> published;
  private static Evaluation.Result result;
  private static final Map<StatsRow, String> SOURCES = new IdentityHashMap<>();

  @BeforeAll
  static void evaluate() throws IOException {
    published = PublishedResults.load(PUBLISHED, GpuCatalog.shared(), ModelCatalog.shared());
    published.forEach(p -> SOURCES.put(p.row(), p.source()));
    result = Evaluation.leaveOneGpuOut(published.stream().map(PublishedResults.PublishedRow::row).toList(), GpuCatalog.shared(), ModelCatalog.shared());
  }

  @Test
  void thePublishedSetsBecomeRowsOfUnknownOffloadThatPhysicsShowsFullyOnTheGpu() {
    assertThat(published).hasSizeGreaterThan(500);
    assertThat(published).allSatisfy(p -> assertThat(p.row().getKey().getOffloadClass()).isEqualTo(OffloadClass.UNKNOWN));
    assertThat(result.rows()).as("every row on a catalogued GPU counts: the weights fit and the rate shows GPU bandwidth").isGreaterThan(500);
    assertThat(result.gpus()).isGreaterThanOrEqualTo(60);
    assertThat(SOURCES.values()).contains("llamacpp-4167", "llamacpp-15013", "xiongjiedai", "geerling-ollama", "tosukui-strix-halo-rocm");
    // the H100 and A100 of the CUDA scoreboard do not say PCIe or SXM: they stay unmapped, not guessed
    assertThat(published.stream().filter(p -> p.source().equals("llamacpp-15013")).map(p -> p.row().getKey().getGpu()))
        .isNotEmpty().noneMatch(gpu -> gpu.startsWith("nvidia-h100") || gpu.startsWith("nvidia-a100"));
  }

  @Test
  void generationMeetsTheTargetsOverallAndOnCudaAndMetal() {
    assertTarget("all", result.overall().generationCalibrated());
    Map<String, Evaluation.Scores> byBackend = result.by(Evaluation.Prediction::backend);
    assertThat(byBackend).containsKeys("CUDA", "METAL", "ROCM", "VULKAN");
    assertTarget("CUDA", byBackend.get("CUDA").generationCalibrated());
    assertTarget("METAL", byBackend.get("METAL").generationCalibrated());
    assertThat(result.overall().generationPrior().medianAbsolutePercentageError())
        .as("the calibration earns its keep").isGreaterThan(3 * result.overall().generationCalibrated().medianAbsolutePercentageError());
  }

  /**
   * ROCm (36 rows on twelve GPUs) misses the targets: 12.0 % and 86 % within ±20 % (10.5 % and 97 %
   * on the 33 rows before a W7800, an RX 7900 XT and another RX 7900 XTX were added). The build
   * shows in the residuals, the GPU does not: RDNA 2 and 3 cards measured on 2024 builds run 13–25 %
   * slower than predicted (a W7800 with Gemma 2 27B, an RX 5700 XT), RDNA 4 on 2025–26 builds 18–20 %
   * faster (an RX 9070 XT, an R9700's gpt-oss-20b), and nothing in the catalog tells them apart.
   * This bound keeps it from getting worse.
   */
  @Test
  void generationOnRocmStaysWhereItIs() {
    Evaluation.Score rocm = result.by(Evaluation.Prediction::backend).get("ROCM").generationCalibrated();
    assertThat(rocm.rows()).isGreaterThanOrEqualTo(10);
    assertThat(rocm.medianAbsolutePercentageError()).isLessThan(12.5);
    assertThat(rocm.shareWithin20Percent()).isGreaterThanOrEqualTo(80.0);
  }

  /**
   * Vulkan (43 rows on thirteen GPUs of three vendors) misses them: 13.0 % and 74 % (13.3 % and 67 %
   * on 27 rows before an RX 7900 XTX, an Arc B580, two Radeon 890M laptops and more Strix Halo runs
   * were added). What remains is rows no GPU-side physics here explains: RDNA 3 and 4 cards on 2025–26
   * RADV builds reading 69–88 % of their bandwidth, 30 % above the AMD cards they are predicted from;
   * a tinyllama on an RTX 4090 at 1.3 ms per token; an RTX 5090 at 47 % of its bandwidth; Intel's
   * Vulkan driver of 2024 and early 2025 at a quarter to half of an A770's and a B580's bandwidth; a
   * W7700 on an ARM host. This bound keeps it from getting worse.
   */
  @Test
  void generationOnVulkanStaysWhereItIs() {
    Evaluation.Score vulkan = result.by(Evaluation.Prediction::backend).get("VULKAN").generationCalibrated();
    assertThat(vulkan.rows()).isGreaterThanOrEqualTo(10);
    assertThat(vulkan.medianAbsolutePercentageError()).isLessThan(14.0);
    assertThat(vulkan.shareWithin20Percent()).isGreaterThanOrEqualTo(70.0);
  }

  /**
   * The 15 % target holds overall (13.8 %) once a GPU prefills at most at what its board power
   * limit sustains. It is not asserted per backend: ROCm (26.4 %, 31 rows) and Vulkan (46.7 %, 39
   * rows, whose drivers with and without matrix cores prefill at rates no report tells apart) miss it.
   */
  @Test
  void promptProcessingFollowsComputeFarBetterThanThePrior() {
    Evaluation.Scores overall = result.overall();
    assertThat(overall.promptCalibrated().rows()).isGreaterThan(450);
    assertThat(overall.promptCalibrated().medianAbsolutePercentageError()).isLessThanOrEqualTo(15.0);
    assertThat(result.by(Evaluation.Prediction::backend).get("CUDA").promptCalibrated().medianAbsolutePercentageError()).isLessThan(16.0);
    assertThat(overall.promptPrior().medianAbsolutePercentageError()).isGreaterThan(2 * overall.promptCalibrated().medianAbsolutePercentageError());
    assertThat(result.by(Evaluation.Prediction::backend).get("METAL").promptCalibrated().medianAbsolutePercentageError())
        .as("Apple: GPU cores × clock").isLessThan(8.0);
  }

  /**
   * Each term of the model earns its keep on real hardware: leaving it out (evaluate --without
   * TERM) makes the figure it models worse. The generation terms are scored on generation, the
   * prompt terms on prompt processing, overall (the README's ablation table).
   */
  @Test
  void everyTermOfTheModelMakesTheFigureItModelsBetter() {
    List<StatsRow> rows = published.stream().map(PublishedResults.PublishedRow::row).toList();
    java.util.function.Function<Evaluation.Result, Evaluation.Score> generation = r -> r.overall().generationCalibrated();
    java.util.function.Function<Evaluation.Result, Evaluation.Score> prompt = r -> r.overall().promptCalibrated();
    // The vendor term changes only AMD's and Intel's cards and Vulkan runs: scored on Vulkan, whose
    // kernels differ most by vendor (generation 13.0 % against 13.2 % without it; prompt processing
    // 46.7 % against 47.1 %; on the 27 Vulkan rows of an earlier set, 13.3 % against 15.6 %). On ROCm,
    // CUDA and Metal it moves nothing.
    java.util.function.Function<Evaluation.Result, Evaluation.Score> vulkan = r -> Evaluation.Scores.of(r.predictions().stream()
        .filter(p -> p.backend().equals("VULKAN")).toList()).generationCalibrated();
    // The mixture-of-experts factors change only the rows of mixtures (a few dozen of 587): scored on them,
    // since the overall median barely moves with them.
    java.util.function.Function<Evaluation.Result, Evaluation.Score> mixtures = r -> Evaluation.Scores.of(r.predictions().stream()
        .filter(p -> ActiveShare.of(p.row().getKey().getModel(), p.row().getModelFacts(), ModelCatalog.shared()) < 1).toList()).generationCalibrated();
    Map<ModelForm.Term, java.util.function.Function<Evaluation.Result, Evaluation.Score>> figure = Map.of(
        ModelForm.Term.MEMORY_CLASS, generation,
        ModelForm.Term.MULTI_GPU, generation,
        ModelForm.Term.MOE, mixtures,
        ModelForm.Term.DEPTH, generation,
        ModelForm.Term.PROMPT_ATTENTION, prompt,
        ModelForm.Term.PIPELINE, prompt,
        ModelForm.Term.POWER_LIMIT, prompt,
        ModelForm.Term.VENDOR, vulkan);
    assertThat(figure).hasSize(ModelForm.Term.values().length);
    figure.forEach((term, score) -> {
      Evaluation.Result without = Evaluation.leaveOneGpuOut(rows, GpuCatalog.shared(), ModelCatalog.shared(), new ModelForm(java.util.Set.of(term)));
      assertThat(score.apply(without).medianAbsolutePercentageError()).as("median absolute error without %s", term.optionName())
          .isGreaterThan(score.apply(result).medianAbsolutePercentageError());
    });
  }

  /**
   * A new source's rows, predicted from what neither their GPU nor their source measured (evaluate
   * --hold-out gpu-and-source): generation 10.7 % and 76 % within ±20 % overall, 9.2 % on CUDA, 11.0 %
   * on Metal, against 6.9 %, 6.1 % and 5.7 % leave-one-GPU-out. The gap is what one source's build and
   * method share across its GPUs, and the depth and prompt-attention terms only XiongjieDai's sweeps
   * measure. These bounds keep it from getting worse.
   */
  @Test
  void aNewSourceIsPredictedFromOtherSourcesAboutAsWellAsBefore() {
    Evaluation.Result bySource = Evaluation.leaveOneGpuAndSourceOut(published.stream().map(PublishedResults.PublishedRow::row).toList(), SOURCES::get,
        GpuCatalog.shared(), ModelCatalog.shared(), ModelForm.FULL);
    assertThat(bySource.rows()).isEqualTo(result.rows());
    Evaluation.Score generation = bySource.overall().generationCalibrated();
    assertThat(generation.medianAbsolutePercentageError()).isLessThan(11.5).isGreaterThan(result.overall().generationCalibrated().medianAbsolutePercentageError());
    assertThat(generation.shareWithin20Percent()).isGreaterThanOrEqualTo(74.0);
    assertThat(bySource.by(Evaluation.Prediction::backend).get("CUDA").generationCalibrated().medianAbsolutePercentageError()).isLessThan(10.0);
    assertThat(bySource.by(Evaluation.Prediction::backend).get("METAL").generationCalibrated().medianAbsolutePercentageError()).isLessThan(12.0);
    assertThat(bySource.overall().promptCalibrated().medianAbsolutePercentageError()).isLessThan(28.0);
  }

  private static void assertTarget(String what, Evaluation.Score score) {
    assertThat(score.medianAbsolutePercentageError()).as("%s: median absolute error (%%)", what).isLessThanOrEqualTo(10.0);
    assertThat(score.shareWithin20Percent()).as("%s: share within ±20 %% (%%)", what).isGreaterThanOrEqualTo(80.0);
  }
}
