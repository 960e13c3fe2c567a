package io.tokbench.agent.probe;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Random;

/**
 * Builds prompts of a chosen token length. Each prompt starts with a fresh random nonce, so no
 * runtime can serve it from a prompt cache (a cached prefix would make prompt processing look
 * far faster than it is). The body is the same deterministic word sequence for every rig.
 *
 * <p>Token counts depend on the model's tokenizer and on what the runtime wraps around the prompt
 * (a chat template, a start token), which the agent cannot know in advance, so the builder
 * calibrates: every answer says how many tokens a prompt of N words became, and a least-squares
 * line of tokens against words gives both the tokens per word and the fixed overhead. With a
 * single observation the overhead is taken as the nonce's.
 */
public final class PromptBuilder {
  private static final String[] WORDS = (
      "the quick brown fox jumps over a lazy dog while seven wise owls watch from an old oak tree near "
          + "the river bank where children play games and sing songs about summer rain falling on green "
          + "fields of wheat corn and barley under a pale blue sky that stretches toward distant hills")
      .split(" ");
  private static final int NONCE_TOKENS_ESTIMATE = 10;

  private final SecureRandom nonces = new SecureRandom();
  // Sums for the least-squares fit of tokens = overhead + perWord * words; guarded by this.
  private int observations;
  private double sumWords;
  private double sumTokens;
  private double sumWordsSquared;
  private double sumWordsTokens;

  /** A prompt aiming at {@code tokens} tokens, with a new nonce. */
  public Prompt build(int tokens) {
    double[] line = line();
    int words = Math.max(1, (int) Math.round((tokens - line[0]) / line[1]));
    String nonce = HexFormat.of().formatHex(nextNonce());
    // The nonce comes first: a prompt cache re-uses the longest shared prefix, so nothing is shared.
    StringBuilder text = new StringBuilder(words * 6 + 32).append(nonce).append(':');
    Random body = new Random(7);
    for (int i = 0; i < words; i++) {
      text.append(' ').append(WORDS[body.nextInt(WORDS.length)]);
    }
    return new Prompt(text.toString(), words);
  }

  /** Random bytes from the generator's stream; generateSeed would draw on the OS entropy pool each time. */
  private synchronized byte[] nextNonce() {
    byte[] nonce = new byte[8];
    nonces.nextBytes(nonce);
    return nonce;
  }

  /** Learns from a prompt of known length and the whole prompt's token count the runtime reported. */
  public synchronized void calibrate(Prompt sent, int reportedTokens) {
    if (reportedTokens <= 0 || sent.words() <= 0) {
      return;
    }
    observations++;
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
    if (observations > 1 && spread > 1e-9) {
      double perWord = (observations * sumWordsTokens - sumWords * sumTokens) / spread;
      double overhead = (sumTokens - perWord * sumWords) / observations;
      if (perWord > 0) {
        return new double[] {overhead, perWord};
      }
    }
    // One prompt length seen so far: assume only the nonce's overhead.
    double meanWords = sumWords / observations;
    double meanTokens = sumTokens / observations;
    return new double[] {NONCE_TOKENS_ESTIMATE, Math.max(0.05, (meanTokens - NONCE_TOKENS_ESTIMATE) / meanWords)};
  }

  /** A prompt and what it was built from. */
  public record Prompt(String text, int words) {}
}
