package io.tokbench.aggregator.estimate;

import io.tokbench.aggregator.normalize.StatsKeys;
import io.tokbench.aggregator.state.CalibrationPoint;
import io.tokbench.catalog.GpuCatalog;
import io.tokbench.catalog.GpuSpec;
import io.tokbench.catalog.ModelCatalog;
import io.tokbench.schema.ModelFacts;
import io.tokbench.schema.StatsKey;
import io.tokbench.schema.StatsRow;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.utils.Utils;

/**
 * What a statistics row contributes to calibration, and which groups it belongs to (those of both
 * fallback chains, {@link CalibrationGroups.Setup#groups()}). Only rows on a catalogued GPU
 * calibrate: without its bandwidth and class a rate says nothing about the model.
 */
public final class CalibrationPoints {
  public static final String GLOBAL = "global";

  private CalibrationPoints() {}

  /** The groups of a row on a catalogued GPU, narrowest first; none on a GPU the catalog does not know. */
  public static List<String> groupsOf(StatsRow row, GpuCatalog gpus) {
    return setupOf(row, gpus).map(CalibrationGroups.Setup::groups).orElse(List.of());
  }

  /** The setup a row measured, on a catalogued GPU. */
  public static Optional<CalibrationGroups.Setup> setupOf(StatsRow row, GpuCatalog gpus) {
    StatsKey key = row.getKey();
    return gpus.byId(key.getGpu()).map(gpu -> CalibrationGroups.Setup.on(gpu, key.getRuntime(), backendOf(row, gpus), key.getQuantization()));
  }

  /** The row's backend as its rigs reported it (a Vulkan run is a Vulkan run), else the GPU's usual one from the catalog. */
  public static String backendOf(StatsRow row, GpuCatalog gpus) {
    if (row.getTypicalSetup() != null && row.getTypicalSetup().getBackend() != null && !row.getTypicalSetup().getBackend().equals("UNKNOWN")) {
      return row.getTypicalSetup().getBackend();
    }
    return gpus.byId(row.getKey().getGpu()).map(GpuSpec::backend).orElse("UNKNOWN");
  }

  /** The row's point, with every input the row and the catalogs can give; the same for each of its groups. */
  public static CalibrationPoint of(StatsRow row, GpuCatalog gpus, ModelCatalog models) {
    StatsKey key = row.getKey();
    Optional<GpuSpec> gpu = gpus.byId(key.getGpu());
    ModelFacts facts = row.getModelFacts() == null ? new ModelFacts() : row.getModelFacts();
    double activeShare = ActiveShare.of(key.getModel(), facts, models);
    Double parameters = facts.getParameterCount() != null ? Double.valueOf(facts.getParameterCount() / 1e9)
        : models.byId(key.getModel()).map(ModelCatalog.Entry::parametersBillions).orElse(null);
    SuiteShape shape = SuiteShape.of(key.getSuiteId());
    return CalibrationPoint.newBuilder()
        .setStatsKey(StatsKeys.encode(key))
        .setPairKey(pairKey(key))
        .setSetupKey(setupKey(key))
        .setSingleGpuKey(StatsKeys.encode(StatsKey.newBuilder(key).setGpuCount(1).setConcurrency(1).build()))
        .setConcurrency(key.getConcurrency())
        .setFullGpu(OffloadEvidence.fullGpu(row, gpu.orElse(null), activeShare))
        .setRigCount(row.getRigCount())
        .setGenerationTokensPerSecond(row.getGenerationTokensPerSecond().getMedian())
        .setGpuCount(Math.max(1, key.getGpuCount()))
        .setActiveShare(activeShare)
        .setKvBytesPerToken(facts.getKvCacheBytesPerToken())
        .setGenerationDepth(shape.meanGenerationDepth())
        .setPromptLength(shape.promptTokens())
        .setAttentionWidth(facts.getAttentionWidth())
        .setBlockCount(facts.getBlockCount())
        .setFp16Tflops(gpu.flatMap(g -> g.fp16Tflops().isPresent() ? Optional.of(g.fp16Tflops().getAsDouble()) : Optional.empty()).orElse(null))
        .setPromptTokensPerSecond(row.getPromptTokensPerSecond() == null ? null : row.getPromptTokensPerSecond().getMedian())
        .setParametersBillions(parameters)
        .setBandwidthGBs(gpu.map(GpuSpec::bandwidthGBs).orElse(null))
        .setBoardPowerWatts(gpu.flatMap(g -> g.boardPowerWatts().isPresent() ? Optional.of(g.boardPowerWatts().getAsDouble()) : Optional.empty()).orElse(null))
        .setWeightsBytes(facts.getFileSizeBytes())
        // One sequence's context: runtimes size the KV cache by their slots (Ollama's
        // OLLAMA_NUM_PARALLEL), not by how many requests a probe happened to send at once.
        .setKvCacheBytes(facts.getKvCacheBytesPerToken() == null ? null : facts.getKvCacheBytesPerToken() * (long) key.getContextBucket())
        .setVramUsedBytes(facts.getVramUsedBytes())
        .setAggregateTokensPerSecond(facts.getAggregateTokensPerSecond())
        .build();
  }

  /**
   * Where a row's point sorts within its group, as eight hex digits: a hash of its setup family
   * (model, GPU, quantization, runtime, offload, backend), so the lowest ranks are a uniform sample
   * of the group's setups that keeps each setup's depths, prompt lengths, concurrencies and GPU
   * counts together: the depth, concurrency and multi-GPU fits compare rows of one setup.
   */
  public static String sampleRank(String encodedStatsKey) {
    String family;
    try {
      family = setupKey(StatsKey.newBuilder(StatsKeys.decode(encodedStatsKey)).setGpuCount(1).setConcurrency(1).build());
    } catch (IllegalArgumentException e) {
      family = encodedStatsKey; // not a key this release wrote: ranked on its own, never a reason to stop the stream thread
    }
    int hash = Utils.murmur2(family.getBytes(StandardCharsets.UTF_8));
    return HexFormat.of().toHexDigits(hash ^ Integer.MIN_VALUE);
  }

  /** Sent under {@link CalibrateProcessor#REFIT_ALL}: refit every group of the partition. */
  public static CalibrationPoint refitAllMarker() {
    return CalibrationPoint.newBuilder().setStatsKey("").build();
  }

  /** Withdraws a row from the group it is sent to. */
  public static CalibrationPoint removal(String encodedStatsKey) {
    return CalibrationPoint.newBuilder().setStatsKey(encodedStatsKey).setRemoved(true).build();
  }

  private static String pairKey(StatsKey key) {
    StatsKey single = StatsKey.newBuilder(key).setConcurrency(1).build();
    return StatsKeys.encode(single);
  }

  /** Rows of one rig setup that differ only in what the suite measured (depth, prompt length) share this key. */
  private static String setupKey(StatsKey key) {
    return StatsKeys.encode(StatsKey.newBuilder(key).setSuiteId("").setContextBucket(0).build());
  }
}
