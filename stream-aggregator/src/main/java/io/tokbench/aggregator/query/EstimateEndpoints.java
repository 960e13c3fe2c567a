package io.tokbench.aggregator.query;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.tokbench.aggregator.estimate.CalibrationGroups;
import io.tokbench.aggregator.estimate.Estimator;
import io.tokbench.aggregator.estimate.VramEstimate;
import io.tokbench.catalog.GpuCatalog;
import io.tokbench.catalog.GpuSpec;
import io.tokbench.catalog.ModelCatalog;
import io.tokbench.normalize.Normalization;
import io.tokbench.schema.CalibrationRecord;
import io.tokbench.schema.ModelFacts;
import io.tokbench.schema.OffloadClass;
import io.tokbench.schema.StatsRow;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The estimator over HTTP: a serving plan for a model on a GPU setup, a model's quantization table,
 * the current calibration, and the GPUs the estimator knows.
 */
final class EstimateEndpoints {
  private static final List<String> ESTIMATE = List.of("model", "gpu", "gpuCount", "quant", "runtime", "ctx", "users", "prompt");
  /** What a runtime reports when it does not know the quantization: never a choice, never a row of the table. */
  static final String UNKNOWN_QUANT = "UNKNOWN";

  /** The context the quantization table sizes VRAM for: Ollama's and most runtimes' common choice. */
  static final int TABLE_CONTEXT = 8192;

  private final QueryService queries;
  private final GpuCatalog gpus = GpuCatalog.shared();
  private final ModelCatalog models = ModelCatalog.shared();
  private final Estimator estimator = new Estimator(models);

  EstimateEndpoints(QueryService queries) {
    this.queries = queries;
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
    Estimator.Estimate e;
    try {
      e = estimator.estimate(new Estimator.Request(model, gpu, gpuCount, quant, context, users, runtime, prompt), rows, calibration());
    } catch (Estimator.UnknownModelFacts unknown) {
      if (params.text("quant") != null && rows.stream().noneMatch(r -> r.getKey().getQuantization().equals(quant))) {
        throw new StatsFilter.BadParameter("quant", "'" + params.text("quant") + "' is neither measured for " + model + " nor a quantization the estimator knows");
      }
      throw new NotFoundException(unknown.getMessage());
    }
    ObjectNode body = RowJson.JSON.createObjectNode()
        .put("model", model).put("gpu", gpu.id()).put("gpuCount", gpuCount).put("quantization", quant).put("runtime", runtime)
        .put("contextTokens", context).put("users", users).put("promptTokens", prompt);
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
        q.put("vramEstimatedBytes", VramEstimate.of(fileSize, kv, TABLE_CONTEXT, 1, calibration.vram(runtime, backend, quant).value()).totalBytes());
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
    body.set("prior", calibrationJson(CalibrationGroups.PRIOR));
    ArrayNode groups = body.putArray("groups");
    queries.calibration().values().forEach(r -> groups.add(calibrationJson(r)));
    return body;
  }

  ObjectNode catalogGpus() {
    ObjectNode body = RowJson.JSON.createObjectNode();
    ArrayNode array = body.putArray("gpus");
    gpus.all().stream().sorted(Comparator.comparing(GpuSpec::vendor).thenComparing(GpuSpec::name))
        .forEach(g -> array.addObject().put("id", g.id()).put("name", g.name()).put("vendor", g.vendor())
            .put("vramBytes", g.vramBytes()).put("vramGiB", RowJson.rate(g.vramBytes() / (double) (1L << 30)))
            .put("bandwidthGbs", g.bandwidthGBs()).put("segment", g.segment()).put("backend", g.backend()));
    return body;
  }

  static ObjectNode calibrationJson(CalibrationRecord r) {
    return RowJson.JSON.createObjectNode()
        .put("groupId", r.getGroupId()).put("level", r.getLevel().name()).put("rigCount", r.getRigCount()).put("rowCount", r.getRowCount())
        .put("overheadMillisPerToken", r.getOverheadMillisPerToken()).put("bandwidthEfficiency", r.getBandwidthEfficiency())
        .put("kvCacheFactor", r.getKvCacheFactor()).put("runtimeOverheadBytes", r.getRuntimeOverheadBytes())
        .put("concurrencyGainAtSaturation", r.getConcurrencyGainAtSaturation()).put("concurrencyHalfSaturationUsers", r.getConcurrencyHalfSaturationUsers())
        .put("promptScale", r.getPromptScale()).put("promptResidualSpread", r.getPromptResidualSpread())
        .put("residualSpread", r.getResidualSpread()).put("updatedAt", r.getUpdatedAt().toString());
  }

  private CalibrationGroups calibration() {
    return new CalibrationGroups(queries.calibration());
  }

  private List<StatsRow> modelRows(String model, Freshness freshness) {
    List<StatsRow> rows = queries.stats(StatsFilter.from(Map.of("model", model)), freshness);
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
