package io.tokbench.agent.probe;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The name of a model as a report may carry it. Some servers name a model by the path it was
 * loaded from (llama-server's {@code -m /home/alice/models/x.gguf}, vLLM's {@code --model
 * /home/alice/ckpt}); a path can hold a user name, so only its last part may leave the machine.
 */
public final class ModelNames {
  private static final Pattern WEIGHTS_FILE = Pattern.compile("(?i).*\\.(gguf|ggml|bin|safetensors|pt|pth|onnx)$");

  private ModelNames() {}

  /** The file name of a path-like id; anything else unchanged (an Ollama tag, a Hugging Face repo id). */
  public static String withoutPath(String id) {
    String name = id.strip();
    if (!looksLikePath(name)) {
      return name;
    }
    String trimmed = name.replaceAll("[/\\\\]+$", "");
    int cut = Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\'));
    return cut < 0 ? trimmed : trimmed.substring(cut + 1);
  }

  /**
   * Absolute, home-relative, dot-relative, Windows-style and weights-file ids are paths; so is an
   * id of three or more parts unless the first is a registry host ({@code hf.co/org/model:tag} is
   * Ollama's name for a Hugging Face model), as a Hugging Face id ({@code org/model}) has two.
   */
  static boolean looksLikePath(String id) {
    String lower = id.toLowerCase(Locale.ROOT);
    String[] parts = id.split("/");
    return id.startsWith("/") || id.startsWith("~") || id.startsWith(".") || id.contains("\\") || lower.matches("^[a-z]:.*")
        || (parts.length > 2 && !parts[0].contains(".")) || (parts.length > 1 && WEIGHTS_FILE.matcher(id).matches());
  }
}
