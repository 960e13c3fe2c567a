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
   * ROCm (33 rows on eleven GPUs) meets the share (97 % within ±20 %) and misses the median by half a
   * point: 10.5 %. RDNA 4 reaches more of its bandwidth than the RDNA 2 and 3 cards it is predicted
   * from (an RX 9070 XT 17–18 % low, an R9700's gpt-oss-20b 18 % low), and an RX 5700 XT on a 2024
   * ROCm build is 25 % slower than predicted; nothing in the catalog tells them apart. 13.3 % with a
   * least-squares fit. This bound keeps it from getting worse.
   */
  @Test
  void generationOnRocmStaysWhereItIs() {
    Evaluation.Score rocm = result.by(Evaluation.Prediction::backend).get("ROCM").generationCalibrated();
    assertThat(rocm.rows()).isGreaterThanOrEqualTo(10);
    assertThat(rocm.medianAbsolutePercentageError()).isLessThan(11.0);
    assertThat(rocm.shareWithin20Percent()).isGreaterThanOrEqualTo(90.0);
  }

  /**
   * Vulkan (27 rows on nine GPUs of three vendors) misses them: 13.3 % and 67 % (15.6 % without the
   * vendor level, 16.2 % with a least-squares fit). What remains is rows no GPU-side physics here
   * explains: RDNA 4 as on ROCm; a tinyllama on an RTX 4090 at 1.3 ms per token, under the GDDR
   * cards' per-token overhead; an RTX 5090 at 47 % of its bandwidth; the Arc A770's kernels of 2024
   * at a quarter of its bandwidth, with no other Intel card on Vulkan to learn from; a W7700 on an
   * ARM host at 31 %. This bound keeps it from getting worse.
   */
  @Test
  void generationOnVulkanStaysWhereItIs() {
    Evaluation.Score vulkan = result.by(Evaluation.Prediction::backend).get("VULKAN").generationCalibrated();
    assertThat(vulkan.rows()).isGreaterThanOrEqualTo(10);
    assertThat(vulkan.medianAbsolutePercentageError()).isLessThan(14.5);
    assertThat(vulkan.shareWithin20Percent()).isGreaterThanOrEqualTo(60.0);
  }

  /**
   * The 15 % target holds overall (13.1 %) once a GPU prefills at most at what its board power
   * limit sustains. It is not asserted per backend: ROCm (25.4 %, 18 rows) and Vulkan (32.1 %, 15
   * rows) miss it.
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
    // kernels differ most by vendor (generation 13.3 % against 15.6 % without it; prompt processing
    // 26.0 % against 35.3 %). On ROCm, CUDA and Metal it moves nothing.
    java.util.function.Function<Evaluation.Result, Evaluation.Score> vulkan = r -> Evaluation.Scores.of(r.predictions().stream()
        .filter(p -> p.backend().equals("VULKAN")).toList()).generationCalibrated();
    // The mixture-of-experts factors change only the rows of mixtures (a few dozen of 568): scored on them,
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

  private static void assertTarget(String what, Evaluation.Score score) {
    assertThat(score.medianAbsolutePercentageError()).as("%s: median absolute error (%%)", what).isLessThanOrEqualTo(10.0);
    assertThat(score.shareWithin20Percent()).as("%s: share within ±20 %% (%%)", what).isGreaterThanOrEqualTo(80.0);
  }
}
