package io.tokbench.agent.probe;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Random;

/**
 * Builds prompts of a chosen token length. Each prompt starts with a fresh random nonce, so no
 * runtime can serve it from a prompt cache (a cached prefix would make prompt processing look
 * far faster than it is). The body is the same deterministic word sequence for every rig.
 *
 * <p>Token counts depend on the model's tokenizer, which the agent cannot run, so the builder
 * calibrates: the warm-up reports how many tokens a prompt of N words became, and later prompts
 * are sized with that ratio.
 */
public final class PromptBuilder {
  private static final String[] WORDS = (
      "the quick brown fox jumps over a lazy dog while seven wise owls watch from an old oak tree near "
          + "the river bank where children play games and sing songs about summer rain falling on green "
          + "fields of wheat corn and barley under a pale blue sky that stretches toward distant hills")
      .split(" ");
  private final SecureRandom nonces = new SecureRandom();
  private double tokensPerWord = 1.0;

  /** A prompt aiming at {@code tokens} tokens, with a new nonce. */
  public Prompt build(int tokens) {
    int words = Math.max(1, (int) Math.round((tokens - NONCE_TOKENS_ESTIMATE) / tokensPerWord));
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
  private byte[] nextNonce() {
    byte[] nonce = new byte[8];
    nonces.nextBytes(nonce);
    return nonce;
  }

  /** Learns the tokenizer's ratio from a prompt of known length and the count the runtime reported. */
  public void calibrate(Prompt sent, int reportedTokens) {
    if (reportedTokens > NONCE_TOKENS_ESTIMATE && sent.words() > 0) {
      tokensPerWord = (reportedTokens - NONCE_TOKENS_ESTIMATE) / (double) sent.words();
    }
  }

  private static final int NONCE_TOKENS_ESTIMATE = 10;

  /** A prompt and what it was built from. */
  public record Prompt(String text, int words) {}
}
