package io.tokbench.aggregator.estimate;

/**
 * The two speed laws, with the calibrated parameters in: generation is memory-bound (each token
 * reads the weights it is routed through and the KV cache of its context, plus a fixed cost per
 * token and per GPU hand-over); prompt processing is compute-bound (each prompt token is multiplied
 * with the parameters and attends to the tokens before it, and a layer split pipelines the batch).
 */
public final class SpeedModel {
  private SpeedModel() {}

  /**
   * @param kvBytesPerToken f16 KV cache per token of context, null when the architecture is unknown (then no depth term)
   * @param blocks the model's layers, null when unknown (then the overhead of a {@link GenerationModel#REFERENCE_BLOCKS}-layer model)
   * @param depthTokens tokens in the context on average while generating
   */
  public static double generationTokensPerSecond(GenerationModel model, Physics physics, double weightsBytes, double activeShare,
                                                 Long kvBytesPerToken, Integer blocks, double depthTokens, double bandwidthBytesPerSecond, int gpus) {
    double bytes = physics.weightsReadBytes(weightsBytes, activeShare) + (kvBytesPerToken == null ? 0 : physics.kvReadBytes(kvBytesPerToken, depthTokens));
    return 1.0 / (model.secondsPerToken(bytes / bandwidthBytesPerSecond, blocks) + physics.multiGpuSecondsPerToken(gpus));
  }

  /**
   * @param scale prompt tokens/s × billions of parameters per FP16 TFLOPS
   * @param attentionWidth layers × heads × head size, null when unknown (then no attention term)
   * @param boardPowerWatts the GPU's board power limit, null when unknown (then it prefills at its peak)
   */
  public static double promptTokensPerSecond(double scale, Physics physics, double parameters, double activeShare, Long attentionWidth,
                                             int promptTokens, double fp16Tflops, Double boardPowerWatts, int gpus) {
    double work = physics.promptParameters(parameters, activeShare) * physics.promptAttentionCost(attentionWidth, parameters, promptTokens / 2.0);
    return scale * physics.sustainedTflops(fp16Tflops, boardPowerWatts) * 1e9 / work * physics.pipelineSpeedup(gpus, promptTokens);
  }
}
