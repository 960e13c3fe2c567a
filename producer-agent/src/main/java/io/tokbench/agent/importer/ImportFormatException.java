package io.tokbench.agent.importer;

/** The file is not llama-bench output, or one of its rows holds a value no benchmark produces; the message names the row and field. */
public final class ImportFormatException extends RuntimeException {
  public ImportFormatException(String message) {
    super(message);
  }
}
