package io.tokbench.aggregator.estimate;

import io.tokbench.normalize.ModelShape;
import io.tokbench.schema.Architecture;

/**
 * Memory a model needs to serve: its weights, the KV cache for the context of every concurrent
 * sequence, and the runtime's fixed overhead. The KV factor and overhead are calibrated from the
 * VRAM agents measured; the defaults are the uncalibrated prior.
 *
 * @param weightsBytes the model file for the quantization
 * @param kvCacheBytes KV cache for the context of every sequence
 * @param overheadBytes runtime buffers, CUDA context and the like
 */
public record VramEstimate(long weightsBytes, long kvCacheBytes, long overheadBytes) {
  /** The prior: KV cache exactly as the architecture says, 500 MiB of runtime overhead. */
  public static final double PRIOR_KV_FACTOR = 1.0;
  public static final long PRIOR_OVERHEAD_BYTES = 500L * 1024 * 1024;

  public static VramEstimate of(long weightsBytes, Architecture architecture, int contextTokens, int sequences, double kvFactor, long overheadBytes) {
    return of(weightsBytes, kvBytesPerToken(architecture, ModelShape.F16_BYTES), contextTokens, sequences, kvFactor, overheadBytes);
  }

  /** The calibrated part of the estimate: measured/theoretical KV cache, and the runtime's fixed overhead. */
  public record Calibration(double kvFactor, long overheadBytes) {
    public static final Calibration PRIOR = new Calibration(PRIOR_KV_FACTOR, PRIOR_OVERHEAD_BYTES);
  }

  public static VramEstimate of(long weightsBytes, long kvBytesPerToken, int contextTokens, int sequences, Calibration calibration) {
    return of(weightsBytes, kvBytesPerToken, contextTokens, sequences, calibration.kvFactor(), calibration.overheadBytes());
  }

  /** @param kvBytesPerToken f16 KV cache per token of context, as {@link #kvBytesPerToken} computes it */
  public static VramEstimate of(long weightsBytes, long kvBytesPerToken, int contextTokens, int sequences, double kvFactor, long overheadBytes) {
    long kv = Math.round(kvBytesPerToken * (double) contextTokens * sequences * kvFactor);
    return new VramEstimate(weightsBytes, kv, overheadBytes);
  }

  /** {@link ModelShape#kvCacheBytesPerToken}, for an architecture the caller has checked. */
  public static long kvBytesPerToken(Architecture a, int bytesPerElement) {
    return ModelShape.kvCacheBytesPerToken(a, bytesPerElement)
        .orElseThrow(() -> new IllegalArgumentException("architecture lacks layer or KV head counts or head size"));
  }

  public long totalBytes() {
    return weightsBytes + kvCacheBytes + overheadBytes;
  }

  /** Whether it fits in the GPUs' memory, all of it, with no CPU/GPU split. */
  public boolean fits(long vramPerGpu, int gpus) {
    return totalBytes() <= vramPerGpu * (long) gpus;
  }

  /** GPU memory left over (negative when it does not fit). */
  public long headroomBytes(long vramPerGpu, int gpus) {
    return vramPerGpu * (long) gpus - totalBytes();
  }

  /** System memory the part that does not fit needs when the runtime splits the model. */
  public long ramForSplitBytes(long vramPerGpu, int gpus) {
    return Math.max(0, -headroomBytes(vramPerGpu, gpus));
  }
}
