package io.tokbench.agent.gguf;

import io.tokbench.schema.Architecture;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * What a GGUF header says about the model, as far as the estimator needs it. Every figure may be
 * missing: a converter writes the keys its architecture has.
 *
 * @param architecture {@code general.architecture}, e.g. "llama", "qwen3moe"
 * @param parameterCount the elements of all tensors, summed over the tensor infos (what llama.cpp
 *     reports as n_params)
 * @param quantization {@code general.file_type} as llama.cpp names it (Q4_K_M, Q8_0, ...)
 */
public record GgufFacts(
    Optional<String> architecture,
    OptionalLong parameterCount,
    Optional<String> quantization,
    OptionalInt blockCount,
    OptionalInt contextLength,
    OptionalInt embeddingLength,
    OptionalInt headCount,
    OptionalInt headCountKv,
    OptionalInt keyLength,
    OptionalInt expertCount,
    OptionalInt expertUsedCount) {

  /** The architecture record of a report, or empty when the header gave none of its figures. */
  public Optional<Architecture> toArchitecture() {
    Architecture arch = Architecture.newBuilder()
        .setBlockCount(boxed(blockCount))
        .setAttentionHeadCount(boxed(headCount))
        .setAttentionHeadCountKv(boxed(headCountKv))
        .setEmbeddingLength(boxed(embeddingLength))
        .setKeyLength(boxed(keyLength))
        .setContextLengthTrained(boxed(contextLength))
        .setExpertCount(boxed(expertCount))
        .setExpertUsedCount(boxed(expertUsedCount))
        .build();
    boolean any = blockCount.isPresent() || headCount.isPresent() || headCountKv.isPresent() || embeddingLength.isPresent()
        || keyLength.isPresent() || contextLength.isPresent() || expertCount.isPresent() || expertUsedCount.isPresent();
    return any ? Optional.of(arch) : Optional.empty();
  }

  private static Integer boxed(OptionalInt value) {
    return value.isPresent() ? value.getAsInt() : null;
  }
}
