package io.tokbench.aggregator.query;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.tokbench.aggregator.estimate.CalibrationGroups;
import io.tokbench.aggregator.estimate.Estimator;
import io.tokbench.aggregator.estimate.VramEstimate;
import io.tokbench.catalog.GpuCatalog;
import io.tokbench.catalog.GpuSpec;
import io.tokbench.catalog.MemoryClass;
import io.tokbench.catalog.ModelCatalog;
import io.tokbench.normalize.Normalization;
import io.tokbench.schema.CalibrationRecord;
import io.tokbench.schema.ModelFacts;
import io.tokbench.schema.OffloadClass;
import io.tokbench.schema.StatsRow;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The estimator over HTTP: a serving plan for a model on a GPU setup, a model's quantization table,
 * the current calibration, and the GPUs the estimator knows.
 */
final class EstimateEndpoints {
  private static final List<String> ESTIMATE = List.of("model", "gpu", "gpuCount", "quant", "runtime", "backend", "memoryGb", "ctx", "users", "prompt");
  /** What a runtime reports when it does not know the quantization: never a choice, never a row of the table. */
  static final String UNKNOWN_QUANT = "UNKNOWN";

  /** The context the quantization table sizes VRAM for: Ollama's and most runtimes' common choice. */
  static final int TABLE_CONTEXT = 8192;
  private static final long GIB = 1024L * 1024 * 1024;
  private static final List<String> BACKENDS = List.of("CUDA", "ROCM", "METAL", "VULKAN", "SYCL", "CPU");

  /** Every statistics row of a model, from every instance; marks the answer stale when a copy was. */
  interface ModelStats {
    List<StatsRow> of(String model, Freshness freshness);
  }

  private final ModelStats statsOfModel;
  private final Supplier<Map<String, CalibrationRecord>> calibrations;
  private final GpuCatalog gpus = GpuCatalog.shared();
  private final ModelCatalog models = ModelCatalog.shared();
  private final Estimator estimator = new Estimator(models);

  EstimateEndpoints(QueryService queries) {
    this((model, freshness) -> queries.stats(StatsFilter.from(Map.of("model", model)), freshness), queries::calibration);
  }

  EstimateEndpoints(ModelStats statsOfModel, Supplier<Map<String, CalibrationRecord>> calibrations) {
    this.statsOfModel = statsOfModel;
    this.calibrations = calibrations;
  }

  void routes(RoutesConfig routes, Deadline deadline) {
    routes.get("/api/v1/estimate", deadline.wrap(ctx -> {
      Freshness freshness = new Freshness();
      Answers.json(ctx, estimate(Params.of(ctx.queryParamMap(), ESTIMATE), freshness), freshness);
    }));
    routes.get("/api/v1/models/<model>", deadline.wrap(ctx -> {
      Params.of(ctx.queryParamMap(), List.of());
      Freshness freshness = new Freshness();
      Answers.json(ctx, model(Params.id("model", ctx.pathParam("model")), freshness), freshness);
    }));
    routes.get("/api/v1/calibration", deadline.wrap(ctx -> {
      Params.of(ctx.queryParamMap(), List.of());
      Answers.json(ctx, calibrationTable());
    }));
    routes.get("/api/v1/catalog/gpus", deadline.wrap(ctx -> {
      Params.of(ctx.queryParamMap(), List.of());
      Answers.json(ctx, catalogGpus());
    }));
  }

  ObjectNode estimate(Params params, Freshness freshness) {
    String model = params.required("model");
    GpuSpec gpu = gpus.byId(params.required("gpu"))
        .orElseThrow(() -> new StatsFilter.BadParameter("gpu", "'" + params.text("gpu") + "' is not in the GPU catalog (see /api/v1/catalog/gpus)"));
    int gpuCount = params.integer("gpuCount", 1, 1, 16);
    int context = params.integer("ctx", TABLE_CONTEXT, 256, 1_048_576);
    int users = params.integer("users", 1, 1, 1024);
    int prompt = params.integer("prompt", 512, 1, 1_048_576);
    List<StatsRow> rows = modelRows(model, freshness);
    String quant = Normalization.quantization(params.map().getOrDefault("quant",
        mostReported(rows.stream().filter(r -> !r.getKey().getQuantization().equals(UNKNOWN_QUANT)).toList(), r -> r.getKey().getQuantization(), "Q4_K_M")));
    if (quant.equals(UNKNOWN_QUANT)) {
      throw new StatsFilter.BadParameter("quant", "name a quantization, e.g. Q4_K_M");
    }
    String runtime = Normalization.runtime(params.map().getOrDefault("runtime", mostReported(rows, r -> r.getKey().getRuntime(), "ollama")));
    String backend = backend(params, gpu, rows);
    Integer memoryGb = params.integer("memoryGb", 1, 4096);
    if (memoryGb != null && !gpu.unifiedMemory()) {
      throw new StatsFilter.BadParameter("memoryGb", "only for unified-memory GPUs; " + gpu.name() + " has " + gpu.vramBytes() / GIB + " GB of its own");
    }
    Estimator.Estimate e;
    try {
      e = estimator.estimate(new Estimator.Request(model, gpu, gpuCount, quant, context, users, runtime, prompt, backend,
          memoryGb == null ? null : memoryGb * GIB), rows, calibration());
    } catch (Estimator.UnknownModelFacts unknown) {
      if (params.text("quant") != null && rows.stream().noneMatch(r -> r.getKey().getQuantization().equals(quant))) {
        throw new StatsFilter.BadParameter("quant", "'" + params.text("quant") + "' is neither measured for " + model + " nor a quantization the estimator knows");
      }
      throw new NotFoundException(unknown.getMessage());
    }
    ObjectNode body = RowJson.JSON.createObjectNode()
        .put("model", model).put("gpu", gpu.id()).put("gpuCount", gpuCount).put("quantization", quant).put("runtime", runtime)
        .put("backend", backend).put("contextTokens", context).put("users", users).put("promptTokens", prompt);
    VramEstimate v = e.vram().estimate();
    body.putObject("vram").put("weightsBytes", v.weightsBytes()).put("kvCacheBytes", v.kvCacheBytes()).put("overheadBytes", v.overheadBytes())
        .put("totalBytes", v.totalBytes()).put("availableBytes", e.vram().availableBytes()).put("fits", e.vram().fits())
        .put("headroomBytes", e.vram().headroomBytes()).put("ramForSplitBytes", e.vram().ramForSplitBytes());
    body.put("singleUserTokensPerSecond", RowJson.rate(e.singleUserTokensPerSecond())).put("low", RowJson.rate(e.low())).put("high", RowJson.rate(e.high()))
        .put("perUserTokensPerSecond", RowJson.rate(e.perUserTokensPerSecond())).put("aggregateTokensPerSecond", RowJson.rate(e.aggregateTokensPerSecond()))
        .put("promptTokensPerSecond", RowJson.rate(e.promptTokensPerSecond())).put("timeToFirstTokenMillis", RowJson.rate(e.timeToFirstTokenMillis()));
    basis(body, "basis", e.basis());
    basis(body, "concurrencyBasis", e.concurrencyBasis());
    basis(body, "promptBasis", e.promptBasis());
    basis(body, "vramBasis", e.vramBasis());
    return body;
  }

  /**
   * The backend asked for, else the one the model's rows on this GPU report most, else the GPU's
   * usual one: a Vulkan run on an AMD card is planned with the Vulkan calibration.
   */
  private static String backend(Params params, GpuSpec gpu, List<StatsRow> rows) {
    String asked = params.text("backend");
    if (asked != null) {
      String backend = asked.toUpperCase(Locale.ROOT);
      if (!BACKENDS.contains(backend)) {
        throw new StatsFilter.BadParameter("backend", "'" + asked + "' is not one of " + String.join(", ", BACKENDS));
      }
      return backend;
    }
    return mostReported(rows.stream().filter(r -> r.getKey().getGpu().equals(gpu.id())).toList(),
        r -> r.getTypicalSetup() == null ? null : r.getTypicalSetup().getBackend(), gpu.backend());
  }

  /** The model's quantizations: bits per weight, file size, VRAM needed at 8K context for one user, VRAM measured. */
  ObjectNode model(String model, Freshness freshness) {
    List<StatsRow> rows = modelRows(model, freshness).stream().filter(r -> !r.getKey().getQuantization().equals(UNKNOWN_QUANT)).toList();
    ObjectNode body = RowJson.JSON.createObjectNode().put("model", model);
    models.byId(model).ifPresentOrElse(
        entry -> body.put("name", entry.name()).put("parameters", entry.parametersBillions()),
        () -> body.putNull("name").putNull("parameters"));
    ArrayNode quants = body.putArray("quantizations");
    CalibrationGroups calibration = calibration();
    Map<String, List<StatsRow>> byQuant = rows.stream().collect(Collectors.groupingBy(r -> r.getKey().getQuantization(), TreeMap::new, Collectors.toList()));
    // Properties of the model, not of a quantization.
    Long parameters = Estimator.medianFact(rows, ModelFacts::getParameterCount);
    Long kv = Estimator.medianFact(rows, ModelFacts::getKvCacheBytesPerToken);
    byQuant.forEach((quant, quantRows) -> {
      ObjectNode q = quants.addObject().put("quantization", quant).put("contextTokens", TABLE_CONTEXT);
      Long fileSize = Estimator.medianFact(quantRows, ModelFacts::getFileSizeBytes);
      q.put("fileSizeBytes", fileSize);
      q.put("bitsPerWeight", fileSize == null || parameters == null ? null : (Double) RowJson.rate(fileSize * 8.0 / parameters));
      if (fileSize != null && kv != null) {
        String backend = mostReported(quantRows, r -> r.getTypicalSetup().getBackend(), "CUDA");
        String runtime = mostReported(quantRows, r -> r.getKey().getRuntime(), "ollama");
        MemoryClass memory = MemoryClass.valueOf(mostReported(quantRows, r -> gpus.byId(r.getKey().getGpu()).map(g -> g.memoryClass().name()).orElse(null), "GDDR"));
        String vendor = mostReported(quantRows.stream().filter(r -> backend.equals(r.getTypicalSetup().getBackend())).toList(),
            r -> gpus.byId(r.getKey().getGpu()).map(GpuSpec::vendor).orElse(null), null);
        // VRAM follows the backend's kernel chain, which no architecture narrows.
        CalibrationGroups.Setup setup = new CalibrationGroups.Setup(runtime, backend, vendor, memory, quant, null);
        q.put("vramEstimatedBytes", VramEstimate.of(fileSize, kv, TABLE_CONTEXT, 1, calibration.vram(setup).value()).totalBytes());
      } else {
        q.putNull("vramEstimatedBytes");
      }
      q.put("vramMeasuredBytes", Estimator.medianFact(quantRows.stream()
          .filter(r -> r.getKey().getContextBucket() == TABLE_CONTEXT && r.getKey().getConcurrency() == 1 && r.getKey().getOffloadClass() == OffloadClass.FULL_GPU)
          .toList(), ModelFacts::getVramUsedBytes));
    });
    return body;
  }

  ObjectNode calibrationTable() {
    ObjectNode body = RowJson.JSON.createObjectNode();
    body.put("minRigs", CalibrationGroups.MIN_RIGS);
    body.put("poolingRigs", CalibrationGroups.POOLING_RIGS);
    body.put("poolingMaxFactor", CalibrationGroups.POOLING_MAX_FACTOR);
    body.set("prior", calibrationJson(CalibrationGroups.PRIOR));
    ArrayNode groups = body.putArray("groups");
    calibrations.get().values().forEach(r -> groups.add(calibrationJson(r)));
    return body;
  }

  ObjectNode catalogGpus() {
    ObjectNode body = RowJson.JSON.createObjectNode();
    ArrayNode array = body.putArray("gpus");
    gpus.all().stream().sorted(Comparator.comparing(GpuSpec::vendor).thenComparing(GpuSpec::name))
        .forEach(g -> array.addObject().put("id", g.id()).put("name", g.name()).put("vendor", g.vendor())
            .put("vramBytes", g.vramBytes()).put("vramGiB", RowJson.rate(g.vramBytes() / (double) (1L << 30)))
            .put("usableBytes", g.usableMemoryBytes()).put("unifiedMemory", g.unifiedMemory()).put("memoryType", g.memoryType())
            .put("bandwidthGbs", g.bandwidthGBs()).put("fp16Tflops", g.fp16Tflops().isPresent() ? g.fp16Tflops().getAsDouble() : null)
            .put("boardPowerWatts", g.boardPowerWatts().isPresent() ? g.boardPowerWatts().getAsDouble() : null)
            .put("segment", g.segment()).put("backend", g.backend()));
    return body;
  }

  static ObjectNode calibrationJson(CalibrationRecord r) {
    return RowJson.JSON.createObjectNode()
        .put("groupId", r.getGroupId()).put("level", r.getLevel().name()).put("rigCount", r.getRigCount()).put("rowCount", r.getRowCount())
        .put("overheadMillisPerToken", r.getOverheadMillisPerToken()).put("bandwidthEfficiency", r.getBandwidthEfficiency())
        .put("kvCacheFactor", r.getKvCacheFactor()).put("runtimeOverheadBytes", r.getRuntimeOverheadBytes())
        .put("concurrencyGainAtSaturation", r.getConcurrencyGainAtSaturation()).put("concurrencyHalfSaturationUsers", r.getConcurrencyHalfSaturationUsers())
        .put("promptTokensPerSecondPerTflop", r.getPromptTokensPerSecondPerTflop()).put("promptComputeSpread", r.getPromptComputeSpread())
        .put("kvReadFactor", r.getKvReadFactor()).put("moeReadFactor", r.getMoeReadFactor()).put("moePromptFactor", r.getMoePromptFactor())
        .put("multiGpuMillis", r.getMultiGpuMillis()).put("promptAttentionFactor", r.getPromptAttentionFactor()).put("pipelineEfficiency", r.getPipelineEfficiency())
        .put("promptTflopsPerWatt", r.getPromptTflopsPerWatt())
        .put("residualSpread", r.getResidualSpread()).put("updatedAt", r.getUpdatedAt().toString());
  }

  private CalibrationGroups calibration() {
    return new CalibrationGroups(calibrations.get());
  }

  private List<StatsRow> modelRows(String model, Freshness freshness) {
    List<StatsRow> rows = statsOfModel.of(model, freshness);
    if (rows.isEmpty() && models.byId(model).isEmpty()) {
      throw new NotFoundException("no reports for model '" + model + "' and it is not in the model catalog");
    }
    return rows;
  }

  private static String mostReported(List<StatsRow> rows, Function<StatsRow, String> field, String fallback) {
    return rows.stream().filter(r -> field.apply(r) != null)
        .collect(Collectors.groupingBy(field, TreeMap::new, Collectors.summingLong(StatsRow::getReportCount)))
        .entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(fallback);
  }

  private static void basis(ObjectNode body, String name, Estimator.Basis basis) {
    body.putObject(name).put("kind", basis.kind()).put("text", basis.text()).put("rigs", basis.rigs());
  }
}
