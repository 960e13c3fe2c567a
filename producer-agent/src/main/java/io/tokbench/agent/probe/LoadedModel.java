package io.tokbench.agent.probe;

import java.util.OptionalInt;

/**
 * A loaded model's memory: {@code sizeVramBytes < sizeBytes} means part of it runs on the CPU.
 *
 * @param contextLength the context the runtime actually loaded, when it says
 */
public record LoadedModel(long sizeBytes, long sizeVramBytes, OptionalInt contextLength) {

  /** Share of the model resident in GPU memory, 0..1. */
  public double gpuOffloadFraction() {
    return sizeBytes <= 0 ? 0 : Math.min(1.0, (double) sizeVramBytes / sizeBytes);
  }
}
