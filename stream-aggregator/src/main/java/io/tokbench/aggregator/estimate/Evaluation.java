package io.tokbench.aggregator.estimate;

import io.tokbench.aggregator.state.CalibrationPoint;
import io.tokbench.catalog.GpuCatalog;
import io.tokbench.catalog.GpuSpec;
import io.tokbench.catalog.ModelCatalog;
import io.tokbench.normalize.OrderStatistics;
import io.tokbench.schema.CalibrationRecord;
import io.tokbench.schema.ModelFacts;
import io.tokbench.schema.StatsRow;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * How good the estimate is, measured: leave-one-GPU-out cross-validation. For each GPU, calibrate
 * on every other GPU's rows and predict this GPU's single-user generation and prompt medians, as
 * the estimator would for a GPU nobody has measured yet; score the uncalibrated prior the same way.
 */
public final class Evaluation {
  /**
   * Median absolute percentage error, the share of predictions within ±20 %, and the share of
   * measured figures within the band the estimate states (NaN for the prior, which states none),
   * over {@code rows} predictions.
   */
  public record Score(int rows, double medianAbsolutePercentageError, double shareWithin20Percent, double shareWithinBand) {
    /** The prior's predictions of these figures (it states no band). */
    static Score prior(List<Predicted> predicted) {
      return of(predicted.stream().map(Predicted::priorError).toList(), List.of());
    }

    /** The calibrated estimator's predictions of these figures, with their bands. */
    static Score calibrated(List<Predicted> predicted) {
      return of(predicted.stream().map(Predicted::calibratedError).toList(), predicted.stream().map(Predicted::withinBand).toList());
    }

    private static Score of(List<Double> relativeErrors, List<Boolean> withinBand) {
      double[] errors = relativeErrors.stream().mapToDouble(Math::abs).toArray();
      long within = relativeErrors.stream().filter(e -> Math.abs(e) <= 0.2).count();
      return new Score(errors.length, errors.length == 0 ? Double.NaN : OrderStatistics.median(errors) * 100,
          errors.length == 0 ? Double.NaN : within * 100.0 / errors.length,
          withinBand.isEmpty() ? Double.NaN : withinBand.stream().filter(b -> b).count() * 100.0 / withinBand.size());
    }
  }

  /**
   * One measured figure, what the prior predicted and what the calibrated estimator predicted, with
   * the band it states (±{@code band} in log space, as the estimate's low and high are), and how many
   * GPUs the group it was calibrated from had measured (0 for the uncalibrated prior).
   */
  public record Predicted(double measured, double prior, double calibrated, double band, int groupGpus) {
    double priorError() {
      return prior / measured - 1;
    }

    double calibratedError() {
      return calibrated / measured - 1;
    }

    boolean withinBand() {
      return Math.abs(Math.log(measured / calibrated)) <= band;
    }
  }

  /** A held-out row, its reported backend, and its predictions (prompt empty where the row has no prompt rate). */
  public record Prediction(StatsRow row, String backend, Predicted generation, Optional<Predicted> prompt) {}

  /** The calibrated scores of generation and of prompt processing. */
  public record BandScores(Score generation, Score prompt) {}

  /** Scores of generation and prompt processing, prior and calibrated. */
  public record Scores(Score generationPrior, Score generationCalibrated, Score promptPrior, Score promptCalibrated) {
    static Scores of(List<Prediction> predictions) {
      List<Predicted> generations = predictions.stream().map(Prediction::generation).toList();
      List<Predicted> prompts = predictions.stream().flatMap(p -> p.prompt().stream()).toList();
      return new Scores(Score.prior(generations), Score.calibrated(generations), Score.prior(prompts), Score.calibrated(prompts));
    }
  }

  public record Result(List<Prediction> predictions, int gpus) {
    public int rows() {
      return predictions.size();
    }

    public Scores overall() {
      return Scores.of(predictions);
    }

    /**
     * Generation and prompt scores by how many GPUs the group each prediction was calibrated from
     * had measured ("1 GPU", "2 GPUs", "3-4 GPUs", "5+ GPUs"; "no GPU (the prior)"): a group's
     * band is measured on its GPUs held out, which a group of one GPU cannot do.
     */
    public Map<String, BandScores> bandsByGroupGpus() {
      Map<String, List<Predicted>> generation = predictions.stream().map(Prediction::generation)
          .collect(Collectors.groupingBy(p -> groupSize(p.groupGpus()), TreeMap::new, Collectors.toList()));
      Map<String, List<Predicted>> prompt = predictions.stream().flatMap(p -> p.prompt().stream())
          .collect(Collectors.groupingBy(p -> groupSize(p.groupGpus()), TreeMap::new, Collectors.toList()));
      Set<String> sizes = new TreeSet<>(generation.keySet());
      sizes.addAll(prompt.keySet());
      Map<String, BandScores> scores = new TreeMap<>();
      sizes.forEach(size -> scores.put(size,
          new BandScores(Score.calibrated(generation.getOrDefault(size, List.of())), Score.calibrated(prompt.getOrDefault(size, List.of())))));
      return scores;
    }

    private static String groupSize(int gpus) {
      return gpus == 0 ? "no GPU (the prior)" : gpus == 1 ? "1 GPU" : gpus == 2 ? "2 GPUs" : gpus <= 4 ? "3-4 GPUs" : "5+ GPUs";
    }

    /** Scores per value of {@code key} (per backend, per source), sorted by it. */
    public Map<String, Scores> by(Function<Prediction, String> key) {
      Map<String, List<Prediction>> groups = predictions.stream().collect(Collectors.groupingBy(key, TreeMap::new, Collectors.toList()));
      Map<String, Scores> scores = new LinkedHashMap<>();
      groups.forEach((k, v) -> scores.put(k, Scores.of(v)));
      return scores;
    }
  }

  private Evaluation() {}

  public static Result leaveOneGpuOut(List<StatsRow> table, GpuCatalog gpus, ModelCatalog models) {
    return leaveOneGpuOut(table, gpus, models, ModelForm.FULL);
  }

  /** The same for a model of this form: an ablation leaves terms out of the calibrated model (the prior stays as it is). */
  public static Result leaveOneGpuOut(List<StatsRow> table, GpuCatalog gpus, ModelCatalog models, ModelForm form) {
    return leaveOut(table, gpus, models, form, List.of(Evaluation::gpuOf));
  }

  /**
   * Stricter: each GPU's rows of one source are predicted from what neither that GPU nor that source
   * measured. Rows of one source share a build, a method and often a model, so under
   * leave-one-GPU-out a held-out GPU is still calibrated by its own source's other GPUs; this
   * measures what a new source's rows (someone else's build and method) should expect.
   *
   * @param sourceOf the source of each row of {@code table}
   */
  public static Result leaveOneGpuAndSourceOut(List<StatsRow> table, Function<StatsRow, String> sourceOf, GpuCatalog gpus, ModelCatalog models,
                                               ModelForm form) {
    return leaveOut(table, gpus, models, form, List.of(Evaluation::gpuOf, sourceOf));
  }

  private static String gpuOf(StatsRow row) {
    return row.getKey().getGpu();
  }

  /**
   * One fold per combination of the held-out attributes' values; each fold is predicted from a
   * calibration on the rows that share none of those values with it.
   */
  private static Result leaveOut(List<StatsRow> table, GpuCatalog gpus, ModelCatalog models, ModelForm form, List<Function<StatsRow, String>> heldOutBy) {
    List<StatsRow> predictable = table.stream().filter(r -> predictable(r, gpus, models)).toList();
    Map<List<String>, List<StatsRow>> folds = predictable.stream()
        .collect(Collectors.groupingBy(r -> heldOutBy.stream().map(a -> a.apply(r)).toList(), LinkedHashMap::new, Collectors.toList()));
    List<Prediction> predictions = new ArrayList<>();
    folds.forEach((values, heldOut) -> {
      List<StatsRow> training = table.stream().filter(r -> sharesNone(r, heldOutBy, values)).toList();
      CalibrationGroups calibration = CalibrationGroups.fit(training, gpus, models, Instant.EPOCH, form);
      GroupGpus groupGpus = GroupGpus.of(training, gpus, models, form);
      GpuSpec gpu = gpus.byId(gpuOf(heldOut.get(0))).orElseThrow();
      for (StatsRow row : heldOut) {
        predictions.add(predict(row, gpu, calibration, groupGpus, gpus, models, form));
      }
    });
    return new Result(predictions, (int) predictable.stream().map(Evaluation::gpuOf).distinct().count());
  }

  /** Per calibration group, the GPUs its generation points and its prompt points came from: what its two bands are measured on. */
  private record GroupGpus(Map<String, Set<String>> generation, Map<String, Set<String>> prompt) {
    static GroupGpus of(List<StatsRow> training, GpuCatalog gpus, ModelCatalog models, ModelForm form) {
      GroupGpus groupGpus = new GroupGpus(new HashMap<>(), new HashMap<>());
      for (StatsRow row : training) {
        List<String> groups = CalibrationGroups.groupsOf(row, gpus, form);
        if (groups.isEmpty()) {
          continue;
        }
        List<CalibrationPoint> point = List.of(CalibrationPoints.of(row, gpus, models));
        add(groupGpus.generation, groups, Calibrator.generationPoints(point));
        add(groupGpus.prompt, groups, Calibrator.promptPoints(point));
      }
      return groupGpus;
    }

    private static void add(Map<String, Set<String>> gpusByGroup, List<String> groups, List<CalibrationPoint> kept) {
      kept.forEach(p -> groups.forEach(g -> gpusByGroup.computeIfAbsent(g, k -> new HashSet<>()).add(Calibrator.gpuOf(p))));
    }

    static int count(Map<String, Set<String>> gpusByGroup, CalibrationRecord group) {
      return gpusByGroup.getOrDefault(group.getGroupId(), Set.of()).size();
    }
  }

  private static boolean sharesNone(StatsRow row, List<Function<StatsRow, String>> attributes, List<String> values) {
    for (int i = 0; i < attributes.size(); i++) {
      if (attributes.get(i).apply(row).equals(values.get(i))) {
        return false;
      }
    }
    return true;
  }

  private static Prediction predict(StatsRow row, GpuSpec gpu, CalibrationGroups calibration, GroupGpus groupGpus, GpuCatalog gpus,
                                    ModelCatalog models, ModelForm form) {
    ModelFacts facts = row.getModelFacts();
    CalibrationGroups.Setup setup = CalibrationPoints.setupOf(row, gpus).orElseThrow();
    SuiteShape shape = SuiteShape.of(row.getKey().getSuiteId());
    double share = ActiveShare.of(row.getKey().getModel(), facts, models);
    int count = Math.max(1, row.getKey().getGpuCount());
    Physics physics = calibration.physics();
    double weights = facts.getFileSizeBytes();
    Integer blocks = form.has(ModelForm.Term.LAYER_OVERHEAD) ? facts.getBlockCount() : null;
    CalibrationGroups.Calibrated<GenerationModel> line = calibration.generation(setup);
    ToDoubleFunction<GenerationModel> rateOf = m -> SpeedModel.generationTokensPerSecond(m, physics, weights, share, facts.getKvCacheBytesPerToken(), blocks,
        shape.meanGenerationDepth(), gpu.bandwidthBytesPerSecond(), count);
    Predicted generation = new Predicted(row.getGenerationTokensPerSecond().getMedian(),
        SpeedModel.generationTokensPerSecond(GenerationModel.PRIOR, Physics.PRIOR, weights, share, facts.getKvCacheBytesPerToken(), blocks,
            shape.meanGenerationDepth(), gpu.bandwidthBytesPerSecond(), count),
        rateOf.applyAsDouble(line.value()), CalibrationGroups.generationSpread(line, rateOf), GroupGpus.count(groupGpus.generation(), line.from()));
    Double parameters = parameters(row, models);
    CalibrationGroups.Calibrated<Double> scale = calibration.promptScale(setup);
    Optional<Predicted> prompt = row.getPromptTokensPerSecond() == null || parameters == null || gpu.fp16Tflops().isEmpty() ? Optional.empty()
        : Optional.of(new Predicted(row.getPromptTokensPerSecond().getMedian(),
            SpeedModel.promptTokensPerSecond(CalibrationGroups.PRIOR.getPromptTokensPerSecondPerTflop(), Physics.PRIOR, parameters, share,
                facts.getAttentionWidth(), shape.promptTokens(), gpu.fp16Tflops().getAsDouble(), null, count),
            SpeedModel.promptTokensPerSecond(scale.value(), physics, parameters, share,
                facts.getAttentionWidth(), shape.promptTokens(), gpu.fp16Tflops().getAsDouble(), boardPower(gpu), count),
            CalibrationGroups.promptSpread(scale), GroupGpus.count(groupGpus.prompt(), scale.from())));
    return new Prediction(row, setup.backend(), generation, prompt);
  }

  static Double boardPower(GpuSpec gpu) {
    return gpu.boardPowerWatts().isPresent() ? gpu.boardPowerWatts().getAsDouble() : null;
  }

  private static Double parameters(StatsRow row, ModelCatalog models) {
    Long reported = row.getModelFacts().getParameterCount();
    return reported != null ? Double.valueOf(reported) : models.byId(row.getKey().getModel()).map(e -> e.parametersBillions() * 1e9).orElse(null);
  }

  /** Single-user, held fully in GPU memory (reported, or evident), with a known file size, on a GPU with a known bandwidth. */
  private static boolean predictable(StatsRow row, GpuCatalog gpus, ModelCatalog models) {
    Optional<GpuSpec> gpu = gpus.byId(row.getKey().getGpu());
    return row.getKey().getConcurrency() == 1 && gpu.isPresent() && row.getModelFacts() != null && row.getModelFacts().getFileSizeBytes() != null
        && OffloadEvidence.fullGpu(row, gpu.get(), ActiveShare.of(row.getKey().getModel(), row.getModelFacts(), models));
  }
}
