package io.tokbench.agent.gguf;

/** The file is not a GGUF file, or its header is cut short or inconsistent. */
public final class GgufFormatException extends Exception {
  public GgufFormatException(String message) {
    super(message);
  }
}
