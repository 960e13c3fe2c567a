package io.tokbench.agent.importer;

import io.tokbench.schema.ImportFormat;
import java.util.Locale;
import java.util.Optional;

/** The outputs of llama-bench's {@code -o} this importer reads (tools/llama-bench/README.md, "Output formats"). */
public enum LlamaBenchFormat {
  JSON(ImportFormat.JSON),
  JSONL(ImportFormat.JSONL),
  CSV(ImportFormat.CSV),
  MD(ImportFormat.MARKDOWN);

  private final ImportFormat schemaFormat;

  LlamaBenchFormat(ImportFormat schemaFormat) {
    this.schemaFormat = schemaFormat;
  }

  public ImportFormat schemaFormat() {
    return schemaFormat;
  }

  /** The format a file name's extension names (.json, .jsonl, .csv, .md), if any. */
  public static Optional<LlamaBenchFormat> ofFileName(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    int dot = lower.lastIndexOf('.');
    return dot < 0 ? Optional.empty() : ofName(lower.substring(dot + 1));
  }

  /** "json", "jsonl", "csv", "md" (llama-bench's own -o names) or "markdown". */
  public static Optional<LlamaBenchFormat> ofName(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "json" -> Optional.of(JSON);
      case "jsonl" -> Optional.of(JSONL);
      case "csv" -> Optional.of(CSV);
      case "md", "markdown" -> Optional.of(MD);
      default -> Optional.empty();
    };
  }

  /**
   * The format of a file's text when its name does not say: a JSON array, JSON objects one per
   * line, a table with {@code |} borders, else CSV.
   */
  public static LlamaBenchFormat sniff(String text) {
    String start = text.stripLeading();
    if (start.startsWith("[")) {
      return JSON;
    }
    if (start.startsWith("{")) {
      return JSONL;
    }
    return start.startsWith("|") ? MD : CSV;
  }
}
