package io.tokbench.agent.probe;

import io.tokbench.schema.TimingSource;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * The measurements of one generation.
 *
 * @param promptTokens prompt tokens the runtime evaluated (not counting cached ones)
 * @param promptNanos time evaluating them, when known
 * @param generatedTokens tokens generated
 * @param generationNanos time generating them
 * @param timeToFirstTokenNanos request sent → first generated token received, client clock
 * @param loadNanos model load time the runtime reported, when it did
 * @param cachedPromptTokens prompt tokens served from a cache, when the runtime says
 * @param stopReason why generation stopped: "length" (hit the limit) or "stop"
 * @param generationSource which clock timed generation
 * @param promptSource which clock timed the prompt
 */
public record Generation(
    int promptTokens,
    OptionalLong promptNanos,
    int generatedTokens,
    long generationNanos,
    long timeToFirstTokenNanos,
    OptionalLong loadNanos,
    OptionalInt cachedPromptTokens,
    String stopReason,
    TimingSource generationSource,
    TimingSource promptSource) {

  public double generationTokensPerSecond() {
    return generatedTokens / (generationNanos / 1e9);
  }

  public OptionalDouble promptTokensPerSecond() {
    return promptNanos.isPresent() && promptNanos.getAsLong() > 0 && promptTokens > 0
        ? OptionalDouble.of(promptTokens / (promptNanos.getAsLong() / 1e9))
        : OptionalDouble.empty();
  }
}
