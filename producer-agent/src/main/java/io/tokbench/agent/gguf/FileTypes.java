package io.tokbench.agent.gguf;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * llama.cpp's model file types ({@code enum llama_ftype} in include/llama.h, stored in a GGUF as
 * {@code general.file_type}) under the names quantizations go by (Q4_K_M, ...), and the
 * descriptions llama.cpp prints for them ({@code llama_model_ftype_name} in src/llama-model-loader.cpp,
 * which llama-bench shows in its {@code model_type}: "qwen2 7B Q4_K - Medium").
 */
public final class FileTypes {
  private static final Map<Integer, String> BY_NUMBER = Map.ofEntries(
      Map.entry(0, "F32"), Map.entry(1, "F16"), Map.entry(2, "Q4_0"), Map.entry(3, "Q4_1"), Map.entry(7, "Q8_0"),
      Map.entry(8, "Q5_0"), Map.entry(9, "Q5_1"), Map.entry(10, "Q2_K"), Map.entry(11, "Q3_K_S"), Map.entry(12, "Q3_K_M"),
      Map.entry(13, "Q3_K_L"), Map.entry(14, "Q4_K_S"), Map.entry(15, "Q4_K_M"), Map.entry(16, "Q5_K_S"), Map.entry(17, "Q5_K_M"),
      Map.entry(18, "Q6_K"), Map.entry(19, "IQ2_XXS"), Map.entry(20, "IQ2_XS"), Map.entry(21, "Q2_K_S"), Map.entry(22, "IQ3_XS"),
      Map.entry(23, "IQ3_XXS"), Map.entry(24, "IQ1_S"), Map.entry(25, "IQ4_NL"), Map.entry(26, "IQ3_S"), Map.entry(27, "IQ3_M"),
      Map.entry(28, "IQ2_S"), Map.entry(29, "IQ2_M"), Map.entry(30, "IQ4_XS"), Map.entry(31, "IQ1_M"), Map.entry(32, "BF16"),
      Map.entry(36, "TQ1_0"), Map.entry(37, "TQ2_0"), Map.entry(38, "MXFP4_MOE"), Map.entry(39, "NVFP4"), Map.entry(40, "Q1_0"));

  /** "Q4_K - Medium", "IQ4_XS - 4.25 bpw", "MXFP4 MoE", "all F32", and the "mostly " of older builds. */
  private static final Map<String, String> DESCRIPTIONS = Map.ofEntries(
      Map.entry("all f32", "F32"), Map.entry("f32", "F32"), Map.entry("f16", "F16"), Map.entry("bf16", "BF16"),
      Map.entry("q2_k - medium", "Q2_K"), Map.entry("q2_k - small", "Q2_K_S"), Map.entry("q3_k - small", "Q3_K_S"),
      Map.entry("q3_k - medium", "Q3_K_M"), Map.entry("q3_k - large", "Q3_K_L"), Map.entry("q4_k - small", "Q4_K_S"),
      Map.entry("q4_k - medium", "Q4_K_M"), Map.entry("q5_k - small", "Q5_K_S"), Map.entry("q5_k - medium", "Q5_K_M"),
      Map.entry("mxfp4 moe", "MXFP4_MOE"), Map.entry("iq3_s mix", "IQ3_M"));
  private static final Pattern SIMPLE = Pattern.compile("(?i)^(q\\d_\\d|q\\d_k|iq\\d_[a-z]+|tq\\d_\\d|nvfp4)(?:\\s*-.*)?$");

  private FileTypes() {}

  /** The name of {@code general.file_type}; empty for a number llama.cpp does not define. */
  public static Optional<String> name(long fileType) {
    return fileType < 0 || fileType > Integer.MAX_VALUE ? Optional.empty() : Optional.ofNullable(BY_NUMBER.get((int) fileType));
  }

  /** The name of a description llama.cpp printed, e.g. "Q4_K - Medium" → Q4_K_M; empty when it is none of them. */
  public static Optional<String> fromDescription(String description) {
    String d = description.strip().toLowerCase(Locale.ROOT);
    if (d.startsWith("mostly ")) {
      d = d.substring("mostly ".length());
    }
    String exact = DESCRIPTIONS.get(d.replaceAll("\\s*-\\s*[\\d.]+ bpw.*$", ""));
    if (exact != null) {
      return Optional.of(exact);
    }
    Matcher simple = SIMPLE.matcher(d);
    return simple.matches() ? Optional.of(simple.group(1).toUpperCase(Locale.ROOT)) : Optional.empty();
  }
}
