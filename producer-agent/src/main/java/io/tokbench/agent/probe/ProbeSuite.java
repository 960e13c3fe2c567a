package io.tokbench.agent.probe;

/**
 * The versioned probe methodology. Every report carries the suite id; the aggregator only puts
 * reports of one suite in one row, so changing anything here that changes the numbers means a new
 * id.
 *
 * @param id suite id carried in every report
 * @param promptTokens prompt length, in the manner of llama-bench's pp512
 * @param generatedTokens tokens to generate, in the manner of llama-bench's tg128
 * @param repetitions measured repetitions after the warm-up
 * @param maxCoefficientOfVariation above this (stddev / mean of the generation rates) a run is
 *     repeated once, then flagged noisy
 * @param seed sampling seed; with temperature 0 every rig does the same work
 */
public record ProbeSuite(String id, int promptTokens, int generatedTokens, int repetitions, double maxCoefficientOfVariation, long seed) {

  public static final ProbeSuite STANDARD = new ProbeSuite("tokbench-suite-1", 512, 128, 5, 0.10, 42L);

  /** Below these a probe measures noise: the nonce alone is 7–17 tokens, a rate needs 2 tokens. */
  public static final int MIN_PROMPT_TOKENS = 16;
  public static final int MIN_GENERATED_TOKENS = 2;
  public static final int MIN_REPETITIONS = 1;

  public ProbeSuite {
    if (promptTokens < MIN_PROMPT_TOKENS || generatedTokens < MIN_GENERATED_TOKENS || repetitions < MIN_REPETITIONS) {
      throw new IllegalArgumentException("suite needs >= " + MIN_PROMPT_TOKENS + " prompt tokens, >= " + MIN_GENERATED_TOKENS
          + " generated tokens and >= " + MIN_REPETITIONS + " repetition");
    }
  }

  /** The standard suite with user overrides; a changed shape gets its own id so it is never mixed. */
  public ProbeSuite with(Integer prompt, Integer generated, Integer reps) {
    int p = prompt == null ? promptTokens : prompt;
    int g = generated == null ? generatedTokens : generated;
    int r = reps == null ? repetitions : reps;
    String suiteId = p == promptTokens && g == generatedTokens ? id : id + "-pp" + p + "-tg" + g;
    return new ProbeSuite(suiteId, p, g, r, maxCoefficientOfVariation, seed);
  }
}
