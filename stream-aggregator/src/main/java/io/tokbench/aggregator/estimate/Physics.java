package io.tokbench.aggregator.estimate;

import io.tokbench.schema.CalibrationRecord;

/**
 * The terms of the speed model that hold for every GPU, fitted once from all rows (the global
 * group) and used by every group's fit and every estimate:
 *
 * @param kvReadFactor a token at depth d also reads d × KV bytes per token of cache, at this many
 *     times the cost of reading weights (attention is less efficient than a matrix-vector product)
 * @param moeReadFactor bytes a mixture of experts reads per token, relative to file size × active
 *     share: more where its attention, shared and output tensors are kept at higher precision than
 *     the routed experts (gpt-oss's MXFP4 files), about 1 where every tensor has one quantization
 * @param moePromptFactor prompt processing of a mixture of experts costs this many times its active
 *     parameters: a batch spreads its tokens over many small expert matrices
 * @param multiGpuSeconds a layer split over N GPUs hands each token over N − 1 times; the cost
 *     grows as log2(N) in the published runs (0.97× at 2 GPUs, 0.96× at 4, 0.93× at 8)
 * @param promptAttentionFactor each prompt token also attends to the tokens before it: 4 ×
 *     attention width × position FLOPs, at this many times the cost of a weight FLOP
 * @param pipelineEfficiency llama.cpp splits a prompt batch of up to 2048 tokens into micro-batches
 *     of 512 and pipelines them over the GPUs: N × m / (N + m − 1) faster at best, times this;
 *     {@link #NO_PIPELINE} in a model without the term (N GPUs prefill as fast as one)
 * @param tflopsPerWatt FP16 tensor TFLOPS a GPU sustains per watt of its board power limit: a card
 *     whose peak needs more power than its limit allows lowers its clocks under a long tensor-core
 *     load (NVML's SwPowerCap clocks event), and prefills at this × its limit instead;
 *     {@link #NO_POWER_CAP} where no row showed it or in a model without the term
 */
public record Physics(double kvReadFactor, double moeReadFactor, double moePromptFactor, double multiGpuSeconds,
                      double promptAttentionFactor, double pipelineEfficiency, double tflopsPerWatt) {
  /**
   * Before any row has measured them: the KV cache read as cheaply as weights; 1.5 × the active
   * share for experts (gpt-oss-20b's tensors: 3.1 GB read per token of a 12.1 GB file, where the
   * active share says 2.1 GB); prompt work of a mixture at 2.5 × its active parameters; 0.3 ms per
   * doubling of GPUs (a PCIe hand-over of the hidden state and a synchronisation); attention FLOPs
   * as cheap as weight FLOPs; the ideal pipeline; every GPU at its peak (no power cap).
   */
  public static final Physics PRIOR = new Physics(1.0, 1.5, 2.5, 0.0003, 1.0, 1.0, 0.0);
  /** The TFLOPS per watt of a model without the power cap ({@code evaluate --without power-limit}): every GPU prefills at its peak. */
  public static final double NO_POWER_CAP = 0.0;
  /** The pipeline efficiency of a model without the pipeline term: no speed-up from a layer split ({@code evaluate --without pipeline}). */
  public static final double NO_PIPELINE = 0.0;

  /** The global group's fitted terms, each falling back to the prior where no row informed it. */
  public static Physics of(CalibrationRecord global) {
    if (global == null) {
      return PRIOR;
    }
    return new Physics(
        or(global.getKvReadFactor(), PRIOR.kvReadFactor),
        or(global.getMoeReadFactor(), PRIOR.moeReadFactor),
        or(global.getMoePromptFactor(), PRIOR.moePromptFactor),
        global.getMultiGpuMillis() == null ? PRIOR.multiGpuSeconds : global.getMultiGpuMillis() / 1e3,
        or(global.getPromptAttentionFactor(), PRIOR.promptAttentionFactor),
        or(global.getPipelineEfficiency(), PRIOR.pipelineEfficiency),
        or(global.getPromptTflopsPerWatt(), PRIOR.tflopsPerWatt));
  }

  private static double or(Double value, double fallback) {
    return value == null ? fallback : value;
  }

  /** Weights read per generated token: all of a dense model, more than the active share of a mixture of experts. */
  public double weightsReadBytes(double fileBytes, double activeShare) {
    return activeShare >= 1 ? fileBytes : fileBytes * Math.min(1.0, activeShare * moeReadFactor);
  }

  /** Bytes of KV cache a token at this depth costs, in weight-read equivalents. */
  public double kvReadBytes(double kvBytesPerToken, double depthTokens) {
    return kvBytesPerToken * depthTokens * kvReadFactor;
  }

  /** Seconds each token pays for the hand-overs of a layer split over {@code gpus} GPUs. */
  public double multiGpuSecondsPerToken(int gpus) {
    return gpus <= 1 ? 0.0 : multiGpuSeconds * log2(gpus);
  }

  /** Parameters a prompt token is multiplied with: all of a dense model, a multiple of the active ones of a mixture. */
  public double promptParameters(double parameters, double activeShare) {
    return activeShare >= 1 ? parameters : parameters * Math.min(1.0, activeShare * moePromptFactor);
  }

  /** Prompt cost per token relative to its weight FLOPs, with attention over the context it sees. */
  public double promptAttentionCost(Long attentionWidth, double parameters, double meanPromptDepth) {
    if (attentionWidth == null || parameters <= 0) {
      return 1.0;
    }
    // 4 × width × depth attention FLOPs against 2 × parameters weight FLOPs
    return 1.0 + promptAttentionFactor * 2.0 * attentionWidth * meanPromptDepth / parameters;
  }

  /** The FP16 throughput a GPU sustains while prefilling: its peak, or what its board power limit allows, whichever is lower. */
  public double sustainedTflops(double peakTflops, Double boardPowerWatts) {
    return tflopsPerWatt == NO_POWER_CAP || boardPowerWatts == null ? peakTflops : Math.min(peakTflops, tflopsPerWatt * boardPowerWatts);
  }

  /** How much faster a layer split over {@code gpus} GPUs processes a prompt of this length than one GPU. */
  public double pipelineSpeedup(int gpus, int promptTokens) {
    return gpus <= 1 || pipelineEfficiency == NO_PIPELINE ? 1.0 : idealPipelineSpeedup(gpus, promptTokens) * pipelineEfficiency;
  }

  /** llama.cpp's defaults: batches of up to 2048 tokens, micro-batches of 512 in flight on the GPUs in turn. */
  public static double idealPipelineSpeedup(int gpus, int promptTokens) {
    double microBatches = Math.max(1.0, Math.min(promptTokens, 2048) / 512.0);
    return gpus * microBatches / (gpus + microBatches - 1);
  }

  /** Whether every term is within {@code tolerance} (relative) of the other's. */
  public boolean closeTo(Physics other, double tolerance) {
    double[] a = {kvReadFactor, moeReadFactor, moePromptFactor, multiGpuSeconds, promptAttentionFactor, pipelineEfficiency, tflopsPerWatt};
    double[] b = {other.kvReadFactor, other.moeReadFactor, other.moePromptFactor, other.multiGpuSeconds, other.promptAttentionFactor, other.pipelineEfficiency,
        other.tflopsPerWatt};
    for (int i = 0; i < a.length; i++) {
      if (Math.abs(a[i] - b[i]) > tolerance * Math.max(Math.abs(a[i]), Math.abs(b[i]))) {
        return false;
      }
    }
    return true;
  }

  static double log2(int n) {
    return Math.log(n) / Math.log(2);
  }

  /** The terms written to the global group's record. */
  public CalibrationRecord.Builder writeTo(CalibrationRecord.Builder record) {
    return record.setKvReadFactor(kvReadFactor).setMoeReadFactor(moeReadFactor).setMoePromptFactor(moePromptFactor)
        .setMultiGpuMillis(multiGpuSeconds * 1e3).setPromptAttentionFactor(promptAttentionFactor).setPipelineEfficiency(pipelineEfficiency)
        .setPromptTflopsPerWatt(tflopsPerWatt);
  }
}
