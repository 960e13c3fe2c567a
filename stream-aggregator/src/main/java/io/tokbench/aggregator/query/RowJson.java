package io.tokbench.aggregator.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tokbench.aggregator.normalize.StatsKeys;
import io.tokbench.normalize.Normalization;
import io.tokbench.schema.CommunityRow;
import io.tokbench.schema.ModelFacts;
import io.tokbench.schema.OffloadClass;
import io.tokbench.schema.Percentiles;
import io.tokbench.schema.StatsKey;
import io.tokbench.schema.StatsRow;
import io.tokbench.schema.TypicalSetup;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The API's JSON shapes for rows, and back (for answers fetched from other instances). Public
 * answers round rates to what a measurement supports ({@link #rate}); instance-to-instance answers
 * and the export carry the raw values.
 */
public final class RowJson {
  public static final ObjectMapper JSON = new ObjectMapper();

  private RowJson() {}

  /**
   * A rate or duration as people read it: three significant digits, whole units from 100 up
   * (157.048109983049 → 157, 88.4312 → 88.4, 3212.6 → 3213).
   */
  public static double rate(double value) {
    if (!Double.isFinite(value) || value == 0) {
      return value;
    }
    if (Math.abs(value) >= 100) {
      return Math.rint(value);
    }
    return new BigDecimal(value).round(new MathContext(3, RoundingMode.HALF_EVEN)).doubleValue();
  }

  /** The public shape of a row: rates rounded. */
  public static ObjectNode stats(StatsRow row) {
    return stats(row, true);
  }

  static List<StatsRow> statsRows(JsonNode answer) {
    List<StatsRow> rows = new ArrayList<>();
    answer.path("rows").forEach(node -> rows.add(stats(node)));
    return rows;
  }

  static List<CommunityRow> communityRows(JsonNode answer) {
    List<CommunityRow> rows = new ArrayList<>();
    answer.path("rows").forEach(n -> rows.add(CommunityRow.newBuilder().setModel(n.get("model").asText()).setGpu(n.get("gpu").asText())
        .setGpuCount(n.get("gpuCount").asInt()).setMedianTokensPerSecond(n.get("medianTokensPerSecond").asDouble())
        .setReportCount(n.get("reportCount").asLong()).setRigCount(n.get("rigCount").asInt()).setTypicalSetup(n.get("typicalSetup").asText())
        .setQuantization(n.get("quant").asText()).setRuntime(n.get("runtime").asText()).setContextBucket(n.get("ctx").asInt())
        .setSuiteId(n.get("suite").asText()).setOffloadClass(n.get("offload").asText()).setConcurrency(n.get("concurrency").asInt())
        .setBackend(n.path("backend").asText(StatsKeys.UNKNOWN_BACKEND)).build()));
    return rows;
  }

  /** A row, its rates rounded for people or raw for another instance. */
  static ObjectNode stats(StatsRow row, boolean rounded) {
    StatsKey key = row.getKey();
    ObjectNode node = JSON.createObjectNode();
    node.put("model", key.getModel()).put("gpu", key.getGpu()).put("gpuCount", key.getGpuCount())
        .put("quant", key.getQuantization()).put("runtime", key.getRuntime()).put("ctx", key.getContextBucket())
        .put("suite", key.getSuiteId()).put("offload", key.getOffloadClass().name()).put("concurrency", key.getConcurrency())
        .put("backend", key.getBackend());
    node.set("generationTokensPerSecond", percentiles(row.getGenerationTokensPerSecond(), rounded));
    node.set("promptTokensPerSecond", row.getPromptTokensPerSecond() == null ? JSON.nullNode() : percentiles(row.getPromptTokensPerSecond(), rounded));
    node.set("timeToFirstTokenMillis", row.getTimeToFirstTokenMillis() == null ? JSON.nullNode() : percentiles(row.getTimeToFirstTokenMillis(), rounded));
    node.put("reportCount", row.getReportCount()).put("rigCount", row.getRigCount())
        .put("firstReportAt", row.getFirstReportAt().toString()).put("lastReportAt", row.getLastReportAt().toString());
    TypicalSetup setup = row.getTypicalSetup();
    node.putObject("typicalSetup").put("os", setup.getOs()).put("runtimeVersion", setup.getRuntimeVersion()).put("backend", setup.getBackend())
        .put("label", Normalization.setupLabel(key.getQuantization(), key.getRuntime(), setup.getOs(), key.getContextBucket()));
    ModelFacts facts = row.getModelFacts();
    if (facts == null) {
      node.putNull("modelFacts");
    } else {
      node.putObject("modelFacts").put("fileSizeBytes", facts.getFileSizeBytes()).put("parameterCount", facts.getParameterCount())
          .put("kvCacheBytesPerToken", facts.getKvCacheBytesPerToken()).put("vramUsedBytes", facts.getVramUsedBytes())
          .put("aggregateTokensPerSecond", facts.getAggregateTokensPerSecond() == null || !rounded ? facts.getAggregateTokensPerSecond() : (Double) rate(facts.getAggregateTokensPerSecond()))
          .put("expertCount", facts.getExpertCount()).put("expertUsedCount", facts.getExpertUsedCount()).put("attentionWidth", facts.getAttentionWidth())
          .put("blockCount", facts.getBlockCount());
    }
    return node;
  }

  /** The key of a row as the export and the API render it; a row without a backend is of an older release. */
  public static StatsKey key(JsonNode node) {
    return new StatsKey(node.get("model").asText(), node.get("gpu").asText(), node.get("gpuCount").asInt(), node.get("quant").asText(),
        node.get("runtime").asText(), node.get("ctx").asInt(), node.get("suite").asText(), OffloadClass.valueOf(node.get("offload").asText()),
        node.get("concurrency").asInt(), node.path("backend").asText(StatsKeys.UNKNOWN_BACKEND));
  }

  public static StatsRow stats(JsonNode node) {
    StatsKey key = key(node);
    JsonNode setup = node.get("typicalSetup");
    return StatsRow.newBuilder()
        .setKey(key)
        .setGenerationTokensPerSecond(percentiles(node.get("generationTokensPerSecond")))
        .setPromptTokensPerSecond(node.get("promptTokensPerSecond").isNull() ? null : percentiles(node.get("promptTokensPerSecond")))
        .setTimeToFirstTokenMillis(node.get("timeToFirstTokenMillis").isNull() ? null : percentiles(node.get("timeToFirstTokenMillis")))
        .setReportCount(node.get("reportCount").asLong())
        .setRigCount(node.get("rigCount").asInt())
        .setFirstReportAt(Instant.parse(node.get("firstReportAt").asText()))
        .setLastReportAt(Instant.parse(node.get("lastReportAt").asText()))
        .setTypicalSetup(new TypicalSetup(text(setup, "os"), text(setup, "runtimeVersion"), text(setup, "backend")))
        .setModelFacts(facts(node.get("modelFacts")))
        .build();
  }

  private static ModelFacts facts(JsonNode n) {
    if (n == null || n.isNull()) {
      return null;
    }
    return new ModelFacts(longOrNull(n, "fileSizeBytes"), longOrNull(n, "parameterCount"), longOrNull(n, "kvCacheBytesPerToken"),
        longOrNull(n, "vramUsedBytes"), n.hasNonNull("aggregateTokensPerSecond") ? n.get("aggregateTokensPerSecond").asDouble() : null,
        intOrNull(n, "expertCount"), intOrNull(n, "expertUsedCount"), longOrNull(n, "attentionWidth"), intOrNull(n, "blockCount"));
  }

  private static Long longOrNull(JsonNode node, String field) {
    return node.hasNonNull(field) ? node.get(field).asLong() : null;
  }

  private static Integer intOrNull(JsonNode node, String field) {
    return node.hasNonNull(field) ? node.get(field).asInt() : null;
  }

  public static ObjectNode community(CommunityRow row) {
    return community(row, true);
  }

  /** A community row, its median rounded for people or raw for another instance. */
  static ObjectNode community(CommunityRow row, boolean rounded) {
    ObjectNode node = JSON.createObjectNode();
    node.put("model", row.getModel()).put("gpu", row.getGpu()).put("gpuCount", row.getGpuCount())
        .put("medianTokensPerSecond", rounded ? rate(row.getMedianTokensPerSecond()) : row.getMedianTokensPerSecond()).put("reportCount", row.getReportCount())
        .put("rigCount", row.getRigCount()).put("typicalSetup", row.getTypicalSetup())
        .put("quant", row.getQuantization()).put("runtime", row.getRuntime()).put("ctx", row.getContextBucket())
        .put("suite", row.getSuiteId()).put("offload", row.getOffloadClass()).put("concurrency", row.getConcurrency())
        .put("backend", row.getBackend());
    return node;
  }

  private static ObjectNode percentiles(Percentiles p, boolean rounded) {
    java.util.function.DoubleUnaryOperator r = rounded ? RowJson::rate : v -> v;
    return JSON.createObjectNode().put("p10", r.applyAsDouble(p.getP10())).put("p25", r.applyAsDouble(p.getP25())).put("median", r.applyAsDouble(p.getMedian()))
        .put("p75", r.applyAsDouble(p.getP75())).put("p90", r.applyAsDouble(p.getP90()));
  }

  private static Percentiles percentiles(JsonNode n) {
    return new Percentiles(n.get("p10").asDouble(), n.get("p25").asDouble(), n.get("median").asDouble(), n.get("p75").asDouble(), n.get("p90").asDouble());
  }

  private static String text(JsonNode node, String field) {
    return node.hasNonNull(field) ? node.get(field).asText() : null;
  }
}
