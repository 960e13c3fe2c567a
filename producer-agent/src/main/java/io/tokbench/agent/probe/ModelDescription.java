package io.tokbench.agent.probe;

import io.tokbench.schema.Architecture;
import java.util.Optional;
import java.util.OptionalLong;

/** A model as the runtime describes it. Every field may be unknown. */
public record ModelDescription(
    String name,
    Optional<String> family,
    OptionalLong parameterCount,
    Optional<String> quantization,
    Optional<String> digest,
    OptionalLong fileSizeBytes,
    Optional<Architecture> architecture) {

  public static ModelDescription unknown(String name) {
    return new ModelDescription(name, Optional.empty(), OptionalLong.empty(), Optional.empty(), Optional.empty(), OptionalLong.empty(), Optional.empty());
  }
}
