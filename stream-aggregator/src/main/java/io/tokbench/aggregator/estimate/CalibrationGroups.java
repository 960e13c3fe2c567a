package io.tokbench.aggregator.estimate;

import java.util.Map;
import java.util.Optional;

/**
 * The fallback chain of calibrations: the narrow group (runtime × backend × quantization family)
 * when enough distinct rigs measured it, else the backend, else the global prior. Each step says
 * which group it came from, so an estimate can state its basis.
 */
public final class CalibrationGroups {
  /** Fewer rigs than this make a group's fit too uncertain to prefer over a broader one. */
  public static final int MIN_RIGS = 5;

  /** A fitted group: its id and level, and how many rigs it rests on. */
  public record Fitted(String groupId, String level, int rigs, GenerationModel model) {}

  private final Map<String, Fitted> groups;

  public CalibrationGroups(Map<String, Fitted> groups) {
    this.groups = Map.copyOf(groups);
  }

  /** "Q4_K_M" → "Q4", "IQ4_XS" → "Q4", "F16" → "F16": quantizations that read alike per weight. */
  public static String quantFamily(String quantization) {
    String q = quantization.toUpperCase(java.util.Locale.ROOT);
    java.util.regex.Matcher bits = java.util.regex.Pattern.compile("I?Q(\\d)").matcher(q);
    return bits.lookingAt() ? "Q" + bits.group(1) : q;
  }

  public static String narrowId(String runtime, String backend, String quantization) {
    return runtime + "|" + backend + "|" + quantFamily(quantization);
  }

  /** The calibration to use for a setup, walking the chain. */
  public Fitted forSetup(String runtime, String backend, String quantization) {
    return usable(narrowId(runtime, backend, quantization))
        .or(() -> usable(backend))
        .orElse(new Fitted("global", "GLOBAL_PRIOR", 0, GenerationModel.PRIOR));
  }

  private Optional<Fitted> usable(String id) {
    Fitted fitted = groups.get(id);
    return fitted != null && fitted.rigs() >= MIN_RIGS ? Optional.of(fitted) : Optional.empty();
  }
}
