package io.tokbench.agent.probe;

import java.security.SecureRandom;
import java.util.Locale;
import java.util.Random;

/**
 * Builds prompts of a chosen token length. Each prompt starts with a fresh random nonce, so no
 * runtime can serve it from a prompt cache (a cached prefix would make prompt processing look
 * far faster than it is). The nonce is 16 decimal digits: tokenizers split digits by fixed rules
 * (one per token, or runs of up to three), so every nonce costs the same tokens, where a hex nonce's
 * letters merge into a varying number. The body is the same deterministic word sequence for every rig.
 *
 * <p>Token counts depend on the model's tokenizer and on what the runtime wraps around the prompt
 * (a chat template, a start token), which the agent cannot know in advance, so the builder
 * calibrates: every answer says how many tokens a prompt of N words became, and a least-squares
 * line of tokens against words gives both the tokens per word and the fixed overhead. With a
 * single observation, or prompts too close in length for a line ({@link #MIN_WORD_SPREAD}), the
 * overhead is taken as the nonce's and the tokens per word are the mean ratio.
 */
public final class PromptBuilder {
  private static final String[] WORDS = (
      "the quick brown fox jumps over a lazy dog while seven wise owls watch from an old oak tree near "
          + "the river bank where children play games and sing songs about summer rain falling on green "
          + "fields of wheat corn and barley under a pale blue sky that stretches toward distant hills")
      .split(" ");
  /**
   * The fewest tokens the nonce costs: its 16 digits are 6 tokens where a tokenizer groups digits in
   * threes (Llama 3), 16 where it splits them one by one (Llama 2, Mistral, Qwen), plus the colon. A
   * runtime adding more (a start token, a chat template) makes the first estimates long rather than
   * short, and the probe only flags prompts that came out short.
   */
  private static final int NONCE_TOKENS_ESTIMATE = 7;
  private static final long NONCE_BOUND = 10_000_000_000_000_000L;
  /**
   * Below this ratio between the longest and shortest prompt seen (in words), a line through the
   * observations cannot tell the fixed overhead from the tokens per word: the nonce alone varies by
   * a few tokens, and two prompts 54 and 45 words long (75 and 70 tokens) once gave 0.56 tokens per
   * word and a third prompt of 54 tokens for a target of 64, which the probe then flagged as cut.
   */
  static final double MIN_WORD_SPREAD = 1.5;

  private final SecureRandom nonces = new SecureRandom();
  // Sums for the least-squares fit of tokens = overhead + perWord * words; guarded by this.
  private int observations;
  private int fewestWords = Integer.MAX_VALUE;
  private int mostWords;
  private double sumWords;
  private double sumTokens;
  private double sumWordsSquared;
  private double sumWordsTokens;

  /** A prompt aiming at {@code tokens} tokens, with a new nonce. */
  public Prompt build(int tokens) {
    double[] line = line();
    int words = Math.max(1, (int) Math.round((tokens - line[0]) / line[1]));
    String nonce = nextNonce();
    // The nonce comes first: a prompt cache re-uses the longest shared prefix, so nothing is shared.
    StringBuilder text = new StringBuilder(words * 6 + 32).append(nonce).append(':');
    Random body = new Random(7);
    for (int i = 0; i < words; i++) {
      text.append(' ').append(WORDS[body.nextInt(WORDS.length)]);
    }
    return new Prompt(text.toString(), words);
  }

  /** 16 random decimal digits from the generator's stream; generateSeed would draw on the OS entropy pool each time. */
  private synchronized String nextNonce() {
    return String.format(Locale.ROOT, "%016d", nonces.nextLong(NONCE_BOUND));
  }

  /** Learns from a prompt of known length and the whole prompt's token count the runtime reported. */
  public synchronized void calibrate(Prompt sent, int reportedTokens) {
    if (reportedTokens <= 0 || sent.words() <= 0) {
      return;
    }
    observations++;
    fewestWords = Math.min(fewestWords, sent.words());
    mostWords = Math.max(mostWords, sent.words());
    sumWords += sent.words();
    sumTokens += reportedTokens;
    sumWordsSquared += (double) sent.words() * sent.words();
    sumWordsTokens += (double) sent.words() * reportedTokens;
  }

  /** {overhead tokens, tokens per word}. */
  private synchronized double[] line() {
    if (observations == 0) {
      return new double[] {NONCE_TOKENS_ESTIMATE, 1.0};
    }
    double spread = observations * sumWordsSquared - sumWords * sumWords;
    if (mostWords >= MIN_WORD_SPREAD * fewestWords) { // two lengths at least, so the spread is positive
      double perWord = (observations * sumWordsTokens - sumWords * sumTokens) / spread;
      double overhead = (sumTokens - perWord * sumWords) / observations;
      if (perWord > 0) {
        return new double[] {overhead, perWord};
      }
    }
    // One prompt length seen so far, or lengths too close to fit a line: assume only the nonce's overhead.
    double meanWords = sumWords / observations;
    double meanTokens = sumTokens / observations;
    return new double[] {NONCE_TOKENS_ESTIMATE, Math.max(0.05, (meanTokens - NONCE_TOKENS_ESTIMATE) / meanWords)};
  }

  /** A prompt and what it was built from. */
  public record Prompt(String text, int words) {}
}
