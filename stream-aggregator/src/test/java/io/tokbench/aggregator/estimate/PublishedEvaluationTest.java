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

  /**
   * ROCm (40 rows on fourteen GPUs) meets them since generation is calibrated per GPU architecture:
   * 6.3 % and 93 % within ±20 % (7.7 % and 90 % before small groups were pooled; 11.4 % and 85 % before
   * the architecture: one ROCm group for every AMD card, where an RX 7900 XTX (RDNA 3) reads 41 % of its
   * bandwidth per token and an RX 9070 XT (RDNA 4) 72 %).
   */
  @Test
  void generationMeetsTheTargetsOverallAndOnCudaMetalAndRocm() {
    assertTarget("all", result.overall().generationCalibrated());
    Map<String, Evaluation.Scores> byBackend = result.by(Evaluation.Prediction::backend);
    assertThat(byBackend).containsKeys("CUDA", "METAL", "ROCM", "VULKAN");
    assertTarget("CUDA", byBackend.get("CUDA").generationCalibrated());
    assertTarget("METAL", byBackend.get("METAL").generationCalibrated());
    assertThat(byBackend.get("ROCM").generationCalibrated().rows()).isGreaterThanOrEqualTo(10);
    assertTarget("ROCM", byBackend.get("ROCM").generationCalibrated());
    assertThat(result.overall().generationPrior().medianAbsolutePercentageError())
        .as("the calibration earns its keep").isGreaterThan(3 * result.overall().generationCalibrated().medianAbsolutePercentageError());
  }

  /**
   * Vulkan (45 rows on fourteen GPUs of three vendors) misses them: 12.9 % and 76 % (12.8 % and 76 %
   * before small groups were pooled: an Arc B580 goes from 98 % to 40 % fast, pooled with the A770's
   * one Vulkan rig, and an RX 9070 XT's Q4_K_M row from 33 % to 42 % slow, pooled with the one AMD
   * Vulkan rig of that quantization, a W7700 on an ARM host; 13.9 % and 69 % before generation was
   * calibrated per architecture, with the vendor's cards on either backend next; 14.9 % and 70 % on the 43 rows before a W7900 and an RX 9070 XT on the AMD driver were
   * added; 13.3 % and 67 % on 27 rows before an RX 7900 XTX, an Arc B580, two Radeon 890M laptops
   * and more Strix Halo runs were added). What remains is rows no GPU-side physics here explains:
   * RDNA 3 and 4 cards on 2025–26 RADV builds reading 69–88 % of their bandwidth, 30 % above the AMD
   * cards they are predicted from; a tinyllama on an RTX 4090 at 1.3 ms per token; an RTX 5090 at
   * 47 % of its bandwidth; Intel's Vulkan driver of 2024 and early 2025 at a quarter to half of an
   * A770's and a B580's bandwidth; a W7700 on an ARM host. This bound keeps it from getting worse.
   */
  @Test
  void generationOnVulkanStaysWhereItIs() {
    Evaluation.Score vulkan = result.by(Evaluation.Prediction::backend).get("VULKAN").generationCalibrated();
    assertThat(vulkan.rows()).isGreaterThanOrEqualTo(10);
    assertThat(vulkan.medianAbsolutePercentageError()).isLessThan(13.5);
    assertThat(vulkan.shareWithin20Percent()).isGreaterThanOrEqualTo(75.0);
  }

  /**
   * An estimate's band (± the established group's spread) is meant to hold half of what a GPU
   * nobody has measured turns out to do. Measured on the rows that fitted the line, it held 38 % of
   * the held-out generation rates (CUDA 38 %, Metal 40 %, Vulkan 16 %); measured on GPUs held out of
   * the line, 54 % (CUDA 53 %, Metal 54 %, ROCm 75 %, Vulkan 42 %: Vulkan's misses are wider than its
   * groups' other GPUs show). Prompt processing: 41 % → 43 %.
   */
  @Test
  void theBandHoldsAboutHalfOfAHeldOutGpusRates() {
    assertThat(result.overall().generationCalibrated().shareWithinBand()).isBetween(45.0, 60.0);
    Map<String, Evaluation.Scores> byBackend = result.by(Evaluation.Prediction::backend);
    assertThat(byBackend.get("CUDA").generationCalibrated().shareWithinBand()).isBetween(45.0, 60.0);
    assertThat(byBackend.get("METAL").generationCalibrated().shareWithinBand()).isBetween(45.0, 65.0);
    assertThat(result.overall().promptCalibrated().shareWithinBand()).isGreaterThan(40.0);
  }

  /**
   * The 15 % target holds overall (13.7 %) once a GPU prefills at most at what its board power
   * limit sustains. It is not asserted per backend: ROCm (25.7 %, 33 rows) and Vulkan (54.2 %, 41
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
    // The vendor term changes only the rows of AMD's and Intel's cards (ROCm, Vulkan, SYCL; a GPU
    // of a vendor with one backend, NVIDIA on CUDA or Apple on Metal, is predicted as before): scored
    // on them, 11.0 % against 12.6 % without it (ROCm 6.3 % against 10.1 %, Vulkan 12.9 % against
    // 13.9 %). The architecture term: 5.3 % against 6.5 % overall (CUDA 4.9 % against 5.6 %, Metal
    // 4.9 % against 5.6 %, ROCm 6.3 % against 9.6 %, Vulkan 12.9 % against 15.9 %).
    // Pooling: 5.3 % against 5.5 % here; its real worth is on a new source's rows (below).
    java.util.function.Function<Evaluation.Result, Evaluation.Score> amdAndIntel = r -> Evaluation.Scores.of(r.predictions().stream()
        .filter(p -> !p.backend().equals("CUDA") && !p.backend().equals("METAL")).toList()).generationCalibrated();
    // The mixture-of-experts factors change only the rows of mixtures (16 of 593): scored on them,
    // since the overall median barely moves with them (16.9 % against 21.5 % without; their prompt
    // processing 56.9 % against 109 %).
    java.util.function.Function<Evaluation.Result, Evaluation.Score> mixtures = r -> Evaluation.Scores.of(r.predictions().stream()
        .filter(p -> ActiveShare.of(p.row().getKey().getModel(), p.row().getModelFacts(), ModelCatalog.shared()) < 1).toList()).generationCalibrated();
    Map<ModelForm.Term, java.util.function.Function<Evaluation.Result, Evaluation.Score>> figure = Map.ofEntries(
        Map.entry(ModelForm.Term.MEMORY_CLASS, generation),
        Map.entry(ModelForm.Term.MULTI_GPU, generation),
        Map.entry(ModelForm.Term.MOE, mixtures),
        Map.entry(ModelForm.Term.DEPTH, generation),
        Map.entry(ModelForm.Term.PROMPT_ATTENTION, prompt),
        Map.entry(ModelForm.Term.PIPELINE, prompt),
        Map.entry(ModelForm.Term.POWER_LIMIT, prompt),
        Map.entry(ModelForm.Term.VENDOR, amdAndIntel),
        Map.entry(ModelForm.Term.LAYER_OVERHEAD, generation),
        Map.entry(ModelForm.Term.ARCHITECTURE, generation),
        Map.entry(ModelForm.Term.POOLING, generation));
    assertThat(figure).hasSize(ModelForm.Term.values().length);
    figure.forEach((term, score) -> {
      Evaluation.Result without = Evaluation.leaveOneGpuOut(rows, GpuCatalog.shared(), ModelCatalog.shared(), new ModelForm(java.util.Set.of(term)));
      assertThat(score.apply(without).medianAbsolutePercentageError()).as("median absolute error without %s", term.optionName())
          .isGreaterThan(score.apply(result).medianAbsolutePercentageError());
    });
  }

  /**
   * A new source's rows, predicted from what neither their GPU nor their source measured (evaluate
   * --hold-out gpu-and-source): generation 6.7 % and 91 % within ±20 % overall, 5.8 % on CUDA, 9.4 %
   * on Metal, 6.1 % on ROCm, against 5.3 %, 4.9 %, 4.9 % and 6.3 % leave-one-GPU-out. The gap is what
   * one source's build and method share across its GPUs, and the depth and prompt-attention terms
   * only XiongjieDai's sweeps measure. Pooling small groups took it from 8.6 % and 77 % (CUDA 7.4 %,
   * Metal 10.4 %, ROCm 7.7 %): with a source held out, the narrow groups its rows would have been
   * predicted from mostly fall under 5 rigs, and passed over, their GPUs were predicted from broad
   * groups. Calibrating per architecture took it from 10.3 % before that. These bounds keep it from
   * getting worse.
   */
  @Test
  void aNewSourceIsPredictedFromOtherSourcesAboutAsWellAsBefore() {
    Evaluation.Result bySource = Evaluation.leaveOneGpuAndSourceOut(published.stream().map(PublishedResults.PublishedRow::row).toList(), SOURCES::get,
        GpuCatalog.shared(), ModelCatalog.shared(), ModelForm.FULL);
    assertThat(bySource.rows()).isEqualTo(result.rows());
    Evaluation.Score generation = bySource.overall().generationCalibrated();
    assertThat(generation.medianAbsolutePercentageError()).isLessThan(7.5).isGreaterThan(result.overall().generationCalibrated().medianAbsolutePercentageError());
    assertThat(generation.shareWithin20Percent()).isGreaterThanOrEqualTo(88.0);
    assertThat(bySource.by(Evaluation.Prediction::backend).get("CUDA").generationCalibrated().medianAbsolutePercentageError()).isLessThan(6.5);
    assertThat(bySource.by(Evaluation.Prediction::backend).get("METAL").generationCalibrated().medianAbsolutePercentageError()).isLessThan(10.0);
    assertThat(bySource.by(Evaluation.Prediction::backend).get("ROCM").generationCalibrated().medianAbsolutePercentageError()).isLessThan(7.0);
    Evaluation.Score unpooled = Evaluation.leaveOneGpuAndSourceOut(published.stream().map(PublishedResults.PublishedRow::row).toList(), SOURCES::get,
        GpuCatalog.shared(), ModelCatalog.shared(), new ModelForm(java.util.Set.of(ModelForm.Term.POOLING))).overall().generationCalibrated();
    assertThat(unpooled.medianAbsolutePercentageError()).as("without pooling").isGreaterThan(generation.medianAbsolutePercentageError() + 1.5);
    assertThat(unpooled.shareWithin20Percent()).as("without pooling").isLessThan(generation.shareWithin20Percent() - 10);
    assertThat(bySource.overall().promptCalibrated().medianAbsolutePercentageError()).isLessThan(28.0);
  }

  private static void assertTarget(String what, Evaluation.Score score) {
    assertThat(score.medianAbsolutePercentageError()).as("%s: median absolute error (%%)", what).isLessThanOrEqualTo(10.0);
    assertThat(score.shareWithin20Percent()).as("%s: share within ±20 %% (%%)", what).isGreaterThanOrEqualTo(80.0);
  }
}
