package io.tokbench.aggregator.estimate;

import io.tokbench.aggregator.normalize.StatsKeys;
import io.tokbench.aggregator.state.CalibrationPoint;
import io.tokbench.catalog.GpuCatalog;
import io.tokbench.catalog.GpuSpec;
import io.tokbench.catalog.ModelCatalog;
import io.tokbench.schema.ModelFacts;
import io.tokbench.schema.OffloadClass;
import io.tokbench.schema.StatsKey;
import io.tokbench.schema.StatsRow;
import java.util.List;
import java.util.Optional;

/**
 * What a statistics row contributes to calibration, and which groups it belongs to: the narrow
 * group (runtime × backend × quantization family), the backend, and the global group.
 */
public final class CalibrationPoints {
  public static final String GLOBAL = "global";

  private CalibrationPoints() {}

  /** The groups of a row, narrowest first. */
  public static List<String> groupsOf(StatsKey key, String backend) {
    return List.of(CalibrationGroups.narrowId(key.getRuntime(), backend, key.getQuantization()), backend, GLOBAL);
  }

  /** The row's backend as its rigs reported it, else the GPU's usual one from the catalog. */
  public static String backendOf(StatsRow row, GpuCatalog gpus) {
    if (row.getTypicalSetup() != null && row.getTypicalSetup().getBackend() != null) {
      return row.getTypicalSetup().getBackend();
    }
    return gpus.byId(row.getKey().getGpu()).map(GpuSpec::backend).orElse("UNKNOWN");
  }

  /** The row's point, with every input the row and the catalogs can give; the same for each of its groups. */
  public static CalibrationPoint of(StatsRow row, GpuCatalog gpus, ModelCatalog models) {
    StatsKey key = row.getKey();
    Optional<GpuSpec> gpu = gpus.byId(key.getGpu());
    ModelFacts facts = row.getModelFacts() == null ? new ModelFacts() : row.getModelFacts();
    double activeShare = models.activeShare(key.getModel());
    Double parameters = facts.getParameterCount() != null ? Double.valueOf(facts.getParameterCount() / 1e9)
        : models.byId(key.getModel()).map(ModelCatalog.Entry::parametersBillions).orElse(null);
    return CalibrationPoint.newBuilder()
        .setStatsKey(StatsKeys.encode(key))
        .setPairKey(pairKey(key))
        .setConcurrency(key.getConcurrency())
        .setFullGpu(key.getOffloadClass() == OffloadClass.FULL_GPU)
        .setRigCount(row.getRigCount())
        .setGenerationTokensPerSecond(row.getGenerationTokensPerSecond().getMedian())
        // Layer split across GPUs: each token passes the GPUs one after another, so the time to
        // read the weights is the file size over one GPU's bandwidth, whatever the GPU count.
        .setBytesOverBandwidthSeconds(facts.getFileSizeBytes() == null || gpu.isEmpty() ? null
            : facts.getFileSizeBytes() * activeShare / gpu.get().bandwidthBytesPerSecond())
        .setPromptTokensPerSecond(row.getPromptTokensPerSecond() == null ? null : row.getPromptTokensPerSecond().getMedian())
        .setParametersBillions(parameters)
        .setBandwidthGBs(gpu.map(GpuSpec::bandwidthGBs).orElse(null))
        .setWeightsBytes(facts.getFileSizeBytes())
        // One sequence's context: runtimes size the KV cache by their slots (Ollama's
        // OLLAMA_NUM_PARALLEL), not by how many requests a probe happened to send at once.
        .setKvCacheBytes(facts.getKvCacheBytesPerToken() == null ? null : facts.getKvCacheBytesPerToken() * (long) key.getContextBucket())
        .setVramUsedBytes(facts.getVramUsedBytes())
        .setAggregateTokensPerSecond(facts.getAggregateTokensPerSecond())
        .build();
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
}
