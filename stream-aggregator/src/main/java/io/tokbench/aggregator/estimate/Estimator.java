package io.tokbench.aggregator.estimate;

import io.tokbench.catalog.GpuSpec;
import io.tokbench.catalog.ModelCatalog;
import io.tokbench.normalize.Normalization;
import io.tokbench.normalize.OrderStatistics;
import io.tokbench.schema.ModelFacts;
import io.tokbench.schema.OffloadClass;
import io.tokbench.schema.StatsKey;
import io.tokbench.schema.StatsRow;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * A serving plan for one model on one GPU setup: VRAM needed and whether it fits, single-user,
 * per-user and aggregate generation speed for N users, prompt processing and time to first token.
 * A figure is "measured" when a statistics row of exactly that setup exists, otherwise "predicted"
 * from the calibration chain, with the group it came from and a band from that group's spread.
 */
public final class Estimator {
  /** Bits per weight of common GGUF quantizations, for models no report gave a file size of. */
  private static final Map<String, Double> BITS_PER_WEIGHT = Map.ofEntries(
      Map.entry("Q2_K", 3.35), Map.entry("Q3_K_S", 3.5), Map.entry("Q3_K_M", 3.91), Map.entry("Q3_K_L", 4.27),
      Map.entry("IQ4_XS", 4.25), Map.entry("Q4_0", 4.55), Map.entry("Q4_K_S", 4.58), Map.entry("Q4_K_M", 4.85),
      Map.entry("Q5_0", 5.54), Map.entry("Q5_K_S", 5.54), Map.entry("Q5_K_M", 5.69), Map.entry("Q6_K", 6.56),
      Map.entry("Q8_0", 8.5), Map.entry("F16", 16.0), Map.entry("BF16", 16.0), Map.entry("F32", 32.0));
  /** Tokens into the answer a serving plan's speed is quoted at: half of a 128-token reply. */
  private static final int REPLY_MIDPOINT_TOKENS = 64;

  /**
   * What to plan for.
   *
   * @param backend the backend the runtime will use (CUDA, ROCM, METAL, VULKAN, SYCL); null for the GPU's usual one
   * @param memoryBytes the machine's memory for a unified-memory GPU (Apple, Strix Halo), null for the catalog's largest configuration
   */
  public record Request(String model, GpuSpec gpu, int gpuCount, String quantization, int contextTokens, int users, String runtime, int promptTokens,
                        String backend, Long memoryBytes) {
    public Request(String model, GpuSpec gpu, int gpuCount, String quantization, int contextTokens, int users, String runtime, int promptTokens) {
      this(model, gpu, gpuCount, quantization, contextTokens, users, runtime, promptTokens, null, null);
    }

    public String effectiveBackend() {
      return backend == null ? gpu.backend() : backend;
    }

    /** Memory the model may occupy over all the GPUs. */
    public long availableBytes() {
      long perGpu = memoryBytes == null ? gpu.usableMemoryBytes() : gpu.usableMemoryBytes(memoryBytes);
      return perGpu * gpuCount;
    }

    CalibrationGroups.Setup setup() {
      return CalibrationGroups.Setup.on(gpu, runtime, effectiveBackend(), quantization);
    }
  }

  /** Where a figure comes from: "measured", "predicted" or "calibrated", said in words, and how many rigs back it. */
  public record Basis(String kind, String text, int rigs) {}

  /** The estimate against the GPUs' memory; fits, headroom and RAM for a split follow from the two. */
  public record Vram(VramEstimate estimate, long availableBytes) {
    public boolean fits() {
      return estimate.fits(availableBytes, 1);
    }

    public long headroomBytes() {
      return estimate.headroomBytes(availableBytes, 1);
    }

    public long ramForSplitBytes() {
      return estimate.ramForSplitBytes(availableBytes, 1);
    }
  }

  public record Estimate(Request request, Vram vram, double singleUserTokensPerSecond, double low, double high, Basis basis,
                         double perUserTokensPerSecond, double aggregateTokensPerSecond, Basis concurrencyBasis,
                         double promptTokensPerSecond, double timeToFirstTokenMillis, Basis promptBasis, Basis vramBasis) {}

  /** The model's size is not known well enough to plan (no report gave its file size or parameters). */
  public static final class UnknownModelFacts extends RuntimeException {
    public UnknownModelFacts(String message) {
      super(message);
    }
  }

  private final ModelCatalog models;

  public Estimator(ModelCatalog models) {
    this.models = models;
  }

  /** @param modelRows every statistics row of the model */
  public Estimate estimate(Request request, List<StatsRow> modelRows, CalibrationGroups calibration) {
    String quant = request.quantization();
    CalibrationGroups.Setup setup = request.setup();
    Physics physics = calibration.physics();
    long weights = weightsBytes(request.model(), quant, modelRows);
    Long kvPerToken = medianFact(modelRows, ModelFacts::getKvCacheBytesPerToken);
    Long blocks = medianFact(modelRows, ModelFacts::getBlockCount);
    double activeShare = ActiveShare.of(request.model(), modelFacts(modelRows), models);

    CalibrationGroups.Calibrated<VramEstimate.Calibration> vramCalibration = calibration.vram(setup);
    VramEstimate vram = VramEstimate.of(weights, kvPerToken == null ? 0 : kvPerToken, request.contextTokens(), request.users(), vramCalibration.value());
    Vram plan = new Vram(vram, request.availableBytes());

    int bucket = Normalization.contextBucket(request.contextTokens());
    Optional<StatsRow> single = exactRow(request, modelRows, bucket, 1);
    double singleRate;
    double low;
    double high;
    Basis basis;
    if (single.isPresent()) {
      singleRate = single.get().getGenerationTokensPerSecond().getMedian();
      low = single.get().getGenerationTokensPerSecond().getP25();
      high = single.get().getGenerationTokensPerSecond().getP75();
      basis = measured(single.get());
    } else {
      CalibrationGroups.Calibrated<GenerationModel> generation = calibration.generation(setup);
      Integer layers = blocks == null ? null : blocks.intValue();
      double depth = request.promptTokens() + REPLY_MIDPOINT_TOKENS;
      ToDoubleFunction<GenerationModel> rateOf = m -> SpeedModel.generationTokensPerSecond(m, physics, weights, activeShare, kvPerToken,
          layers, depth, request.gpu().bandwidthBytesPerSecond(), request.gpuCount());
      singleRate = rateOf.applyAsDouble(generation.value());
      double spread = CalibrationGroups.generationSpread(generation, rateOf);
      low = singleRate * Math.exp(-spread);
      high = singleRate * Math.exp(spread);
      basis = predicted(generation, spread);
    }

    double aggregate;
    double perUser;
    Basis concurrencyBasis;
    Optional<StatsRow> sweep = request.users() == 1 ? single : exactRow(request, modelRows, bucket, request.users());
    if (sweep.isPresent()) {
      perUser = sweep.get().getGenerationTokensPerSecond().getMedian();
      ModelFacts facts = sweep.get().getModelFacts();
      aggregate = facts != null && facts.getAggregateTokensPerSecond() != null ? facts.getAggregateTokensPerSecond() : perUser * request.users();
      concurrencyBasis = measured(sweep.get());
    } else {
      CalibrationGroups.Calibrated<ConcurrencyCurve> curve = calibration.concurrency(setup);
      aggregate = curve.value().aggregateTokensPerSecond(singleRate, request.users());
      perUser = curve.value().perUserTokensPerSecond(singleRate, request.users());
      concurrencyBasis = request.users() == 1 ? basis : new Basis("predicted", "predicted from " + curve.basis(), curve.from().getRigCount());
    }

    double promptRate;
    Basis promptBasis;
    if (single.isPresent() && single.get().getPromptTokensPerSecond() != null) {
      promptRate = single.get().getPromptTokensPerSecond().getMedian();
      promptBasis = measured(single.get());
    } else {
      CalibrationGroups.Calibrated<Double> scale = calibration.promptScale(setup);
      promptRate = SpeedModel.promptTokensPerSecond(scale.value(), physics, parametersBillions(request.model(), modelRows) * 1e9, activeShare,
          medianFact(modelRows, ModelFacts::getAttentionWidth), request.promptTokens(), fp16Tflops(request.gpu()),
          Evaluation.boardPower(request.gpu()), request.gpuCount());
      promptBasis = predicted(scale, CalibrationGroups.promptSpread(scale));
    }
    double ttft = request.promptTokens() / promptRate * 1e3 + 1e3 / singleRate;
    Basis vramBasis = kvPerToken == null
        ? new Basis("partial", "KV cache unknown: no report of " + request.model() + " carried its architecture, so VRAM counts the weights and "
            + vramCalibration.basis() + "'s runtime overhead only", vramCalibration.from().getRigCount())
        : new Basis(vramCalibration.from().getRigCount() == 0 ? "predicted" : "calibrated",
            "KV cache and runtime overhead from " + vramCalibration.basis(), vramCalibration.from().getRigCount());
    return new Estimate(request, plan, singleRate, low, high, basis, perUser, aggregate, concurrencyBasis, promptRate, ttft, promptBasis, vramBasis);
  }

  private static double fp16Tflops(GpuSpec gpu) {
    if (gpu.fp16Tflops().isEmpty()) {
      throw new IllegalStateException("the GPU catalog lists no FP16 throughput for " + gpu.id());
    }
    return gpu.fp16Tflops().getAsDouble();
  }

  /** Model file size for a quantization: what reports measured, else parameters × bits per weight. */
  public long weightsBytes(String model, String quantization, List<StatsRow> modelRows) {
    Long measured = medianFact(modelRows.stream().filter(r -> r.getKey().getQuantization().equals(quantization)).toList(), ModelFacts::getFileSizeBytes);
    if (measured != null) {
      return measured;
    }
    Double bits = BITS_PER_WEIGHT.get(quantization.toUpperCase(Locale.ROOT));
    if (bits == null) {
      throw new UnknownModelFacts("no report of " + model + " at " + quantization + " gave its file size, and " + quantization + " is not a known quantization");
    }
    return Math.round(parametersBillions(model, modelRows) * 1e9 * bits / 8);
  }

  private double parametersBillions(String model, List<StatsRow> modelRows) {
    Long reported = medianFact(modelRows, ModelFacts::getParameterCount);
    if (reported != null) {
      return reported / 1e9;
    }
    return models.byId(model).map(ModelCatalog.Entry::parametersBillions)
        .orElseThrow(() -> new UnknownModelFacts("the parameter count of " + model + " is unknown"));
  }

  /** The model's expert counts as the reports gave them (the median over rows), for the active share. */
  private static ModelFacts modelFacts(List<StatsRow> modelRows) {
    Long experts = medianFact(modelRows, ModelFacts::getExpertCount);
    Long used = medianFact(modelRows, ModelFacts::getExpertUsedCount);
    return ModelFacts.newBuilder()
        .setExpertCount(experts == null ? null : experts.intValue())
        .setExpertUsedCount(used == null ? null : used.intValue())
        .build();
  }

  /** The row of exactly this setup with full GPU offload, the best supported if several suites have one. */
  private static Optional<StatsRow> exactRow(Request request, List<StatsRow> rows, int bucket, int concurrency) {
    return rows.stream()
        .filter(r -> {
          StatsKey k = r.getKey();
          return k.getGpu().equals(request.gpu().id()) && k.getGpuCount() == request.gpuCount() && k.getQuantization().equals(request.quantization())
              && k.getRuntime().equals(request.runtime()) && k.getContextBucket() == bucket && k.getConcurrency() == concurrency
              && k.getOffloadClass() == OffloadClass.FULL_GPU;
        })
        .max(Comparator.comparingInt(StatsRow::getRigCount));
  }

  /** The median of one model fact over the rows that carry it, or null. */
  public static <T extends Number> Long medianFact(List<StatsRow> rows, Function<ModelFacts, T> fact) {
    Double median = OrderStatistics.medianOrNull(rows.stream().map(StatsRow::getModelFacts).filter(Objects::nonNull).map(fact));
    return median == null ? null : Math.round(median);
  }

  private static Basis measured(StatsRow row) {
    return new Basis("measured", "measured: median of " + row.getRigCount() + (row.getRigCount() == 1 ? " rig" : " rigs"), row.getRigCount());
  }

  private static Basis predicted(CalibrationGroups.Calibrated<?> from, double logSpread) {
    long percent = Math.round((Math.exp(logSpread) - 1) * 100);
    return new Basis("predicted", "predicted from " + from.basis() + ", ±" + percent + " %", from.from().getRigCount());
  }
}
