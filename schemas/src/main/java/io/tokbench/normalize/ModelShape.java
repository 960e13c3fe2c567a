package io.tokbench.normalize;

import io.tokbench.schema.Architecture;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * What a model's architecture implies for memory, shared by the agent (how much GPU memory a fully
 * offloaded model needs) and the aggregator (the KV-cache term). Figures come from reports, so
 * anything missing, zero or negative gives an empty answer, never an exception.
 */
public final class ModelShape {
  /** llama.cpp's default KV cache type is f16. */
  public static final int F16_BYTES = 2;

  private ModelShape() {}

  /** The reported key length, else hidden size / attention heads. */
  public static OptionalInt headSize(Architecture a) {
    if (positive(a.getKeyLength())) {
      return OptionalInt.of(a.getKeyLength());
    }
    return positive(a.getEmbeddingLength()) && positive(a.getAttentionHeadCount())
        ? OptionalInt.of(a.getEmbeddingLength() / a.getAttentionHeadCount()) : OptionalInt.empty();
  }

  /** KV cache per token of context: layers × KV heads × head size × 2 (keys and values) × bytes per element. */
  public static OptionalLong kvCacheBytesPerToken(Architecture a, int bytesPerElement) {
    OptionalInt head = headSize(a);
    if (!positive(a.getBlockCount()) || !positive(a.getAttentionHeadCountKv()) || head.isEmpty()) {
      return OptionalLong.empty();
    }
    return OptionalLong.of((long) a.getBlockCount() * a.getAttentionHeadCountKv() * head.getAsInt() * 2L * bytesPerElement);
  }

  /** Layers × attention heads × head size: what one token attends to the earlier ones with. */
  public static OptionalLong attentionWidth(Architecture a) {
    OptionalInt head = headSize(a);
    if (!positive(a.getBlockCount()) || !positive(a.getAttentionHeadCount()) || head.isEmpty()) {
      return OptionalLong.empty();
    }
    return OptionalLong.of((long) a.getBlockCount() * a.getAttentionHeadCount() * head.getAsInt());
  }

  private static boolean positive(Integer value) {
    return value != null && value > 0;
  }
}
