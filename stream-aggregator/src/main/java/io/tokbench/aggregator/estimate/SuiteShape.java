package io.tokbench.aggregator.estimate;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a suite measured, read from its id: the prompt length, the tokens generated and the depth
 * (tokens already in the context) it started at. The agent's suites say it as
 * {@code tokbench-suite-1-pp1024-tg256} (512 and 128 when not given); llama-bench's results as
 * {@code llama-bench-pp512-tg128}, optionally {@code -d4096} for {@code -d}/{@code --n-depth}.
 *
 * <p>Generation slows with depth, because each token also reads the KV cache of every token before
 * it. A probe generates right after its prompt; llama-bench's {@code tgN} test generates from an
 * empty context (or its depth), with no prompt before it, which is why the two are kept apart.
 *
 * @param promptTokens tokens of the prompt-processing measurement
 * @param generatedTokens tokens of the generation measurement
 * @param depthTokens context already filled before either
 * @param generationFollowsPrompt whether the generation ran after the prompt (a probe) or on its own (llama-bench)
 */
public record SuiteShape(int promptTokens, int generatedTokens, int depthTokens, boolean generationFollowsPrompt) {
  /** The agent's default shape: llama-bench's pp512 and tg128, generated after the prompt. */
  public static final SuiteShape DEFAULT = new SuiteShape(512, 128, 0, true);
  private static final Pattern PROMPT = Pattern.compile("-pp(\\d{1,7})(?=-|$)");
  private static final Pattern GENERATED = Pattern.compile("-tg(\\d{1,7})(?=-|$)");
  private static final Pattern DEPTH = Pattern.compile("-d(\\d{1,7})(?=-|$)");

  public static SuiteShape of(String suiteId) {
    String id = suiteId == null ? "" : suiteId.toLowerCase(Locale.ROOT);
    return new SuiteShape(
        number(PROMPT, id, DEFAULT.promptTokens),
        number(GENERATED, id, DEFAULT.generatedTokens),
        number(DEPTH, id, 0),
        !id.startsWith("llama-bench"));
  }

  private static int number(Pattern pattern, String id, int fallback) {
    Matcher m = pattern.matcher(id);
    return m.find() ? Integer.parseInt(m.group(1)) : fallback;
  }

  /** Tokens in the context on average while generating: the KV cache each generated token reads. */
  public double meanGenerationDepth() {
    return depthTokens + (generationFollowsPrompt ? promptTokens : 0) + generatedTokens / 2.0;
  }

  /** Tokens in the context on average while the prompt is processed. */
  public double meanPromptDepth() {
    return depthTokens + promptTokens / 2.0;
  }
}
