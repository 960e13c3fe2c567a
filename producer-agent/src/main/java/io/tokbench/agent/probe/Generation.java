package io.tokbench.agent.probe;

import io.tokbench.schema.TimingSource;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * The measurements of one generation.
 *
 * @param promptTokens prompt tokens the runtime evaluated (not counting cached ones)
 * @param cachedPromptTokens prompt tokens served from a cache, when the runtime says
 * @param promptNanos time evaluating the prompt, when known
 * @param outputTokens every token the request produced, the first one included
 * @param decodeSteps tokens produced within {@code decodeNanos}: the generation rate's numerator
 * @param decodeNanos time those tokens took, on the clock {@code generationSource} names
 * @param firstTokenAtNanos {@link System#nanoTime()} when the first token arrived, to line up
 *     parallel streams; when no token showed as text (a model generating only bytes that form no
 *     character), the end of the stream less the generation time
 * @param timeToFirstTokenNanos request sent → first generated token received, client clock;
 *     empty when no token showed as text
 * @param loadNanos model load time the runtime reported, when it did
 * @param endedEarly the runtime stopped before the tokens asked for (end of text, a stop
 *     condition, the context ran out)
 * @param generationSource which clock timed generation
 * @param promptSource which clock timed the prompt
 */
public record Generation(
    int promptTokens,
    OptionalInt cachedPromptTokens,
    OptionalLong promptNanos,
    int outputTokens,
    int decodeSteps,
    long decodeNanos,
    long firstTokenAtNanos,
    OptionalLong timeToFirstTokenNanos,
    OptionalLong loadNanos,
    boolean endedEarly,
    TimingSource generationSource,
    TimingSource promptSource) {

  public double generationTokensPerSecond() {
    return decodeSteps / (decodeNanos / 1e9);
  }

  public OptionalDouble promptTokensPerSecond() {
    return promptNanos.isPresent() && promptNanos.getAsLong() > 0 && promptTokens > 0
        ? OptionalDouble.of(promptTokens / (promptNanos.getAsLong() / 1e9))
        : OptionalDouble.empty();
  }

  /** Tokens in the context when generation began: the whole prompt, cached or not. */
  public int depth() {
    return promptTokens + cachedPromptTokens.orElse(0);
  }

  /**
   * When the first token came, given when it was seen (-1: never, as text) and how long the
   * runtime says generation took: a stream's end less that time.
   */
  static long firstTokenAt(long seenAtNanos, long decodeNanos) {
    return seenAtNanos >= 0 ? seenAtNanos : System.nanoTime() - decodeNanos;
  }

  /** Time to first token, when one was seen. */
  static OptionalLong timeToFirstToken(long requestStartNanos, long seenAtNanos) {
    return seenAtNanos >= 0 ? OptionalLong.of(seenAtNanos - requestStartNanos) : OptionalLong.empty();
  }

  /** When the timed generation ended, on the {@link System#nanoTime()} scale. */
  long generationEndAtNanos() {
    return firstTokenAtNanos + decodeNanos;
  }
}
