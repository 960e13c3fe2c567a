package io.tokbench.aggregator.estimate;

import io.tokbench.catalog.GpuSpec;
import io.tokbench.schema.ModelFacts;
import io.tokbench.schema.OffloadClass;
import io.tokbench.schema.StatsRow;

/**
 * Whether a row's rates are those of a model held entirely in GPU memory. Reports that say so
 * (FULL_GPU) are; split or CPU rows are not. Rows of unknown offload (llama.cpp's server does not
 * say, and llama-bench tables run with {@code -ngl 99}) are when physics allows nothing else: the
 * weights fit in the GPUs' memory, so the runtimes put them all there by default, and the rate
 * shows the GPU's bandwidth at work rather than system memory's.
 */
public final class OffloadEvidence {
  /**
   * A model split with the CPU runs at system-memory speed, a tenth of a discrete GPU's bandwidth
   * or less; full-GPU runs in the published sets reach at least a quarter of it.
   */
  static final double MIN_BANDWIDTH_SHARE = 0.2;

  private OffloadEvidence() {}

  public static boolean fullGpu(StatsRow row, GpuSpec gpu, double activeShare) {
    OffloadClass offload = row.getKey().getOffloadClass();
    if (offload != OffloadClass.UNKNOWN) {
      return offload == OffloadClass.FULL_GPU;
    }
    ModelFacts facts = row.getModelFacts();
    if (gpu == null || facts == null || facts.getFileSizeBytes() == null) {
      return false;
    }
    long weights = facts.getFileSizeBytes();
    boolean fits = weights <= gpu.usableMemoryBytes() * (long) Math.max(1, row.getKey().getGpuCount());
    double readPerSecond = row.getGenerationTokensPerSecond().getMedian() * weights * Math.min(1.0, activeShare);
    return fits && readPerSecond >= MIN_BANDWIDTH_SHARE * gpu.bandwidthBytesPerSecond();
  }
}
