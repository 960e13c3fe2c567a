package io.tokbench.aggregator.estimate;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which terms of the speed model are in: all of them in the estimator, fewer in an ablation, which
 * measures what each term is worth by evaluating the model without it ({@code evaluate --without TERM}).
 * A term left out takes its neutral value instead of being fitted, so the rest of the model is
 * fitted as if it had never existed.
 */
public record ModelForm(Set<Term> without) {
  /** The estimator as it runs: every term in. */
  public static final ModelForm FULL = new ModelForm(Set.of());

  /** A term of the model, by the name {@code --without} takes. */
  public enum Term {
    /** Generation groups per memory class (HBM, GDDR, unified) and their overhead priors; without: generation follows the backend's chain. */
    MEMORY_CLASS("memory-class"),
    /** The hand-over cost per doubling of GPUs (hop); without: a layer split costs nothing per token. */
    MULTI_GPU("multi-gpu"),
    /** Bytes a mixture of experts reads (m) and prompt work it costs (m′) beyond its active share; without: exactly its active share. */
    MOE("moe"),
    /** The KV cache read per token at depth (k); without: generation does not slow with context. */
    DEPTH("depth"),
    /** Attention over the prompt's earlier tokens (a); without: a prompt token costs its weight FLOPs only. */
    PROMPT_ATTENTION("prompt-attention"),
    /** A layer split pipelining a prompt's micro-batches over its GPUs; without: N GPUs prefill as fast as one. */
    PIPELINE("pipeline"),
    /** A GPU prefilling at most at its board power limit × the fitted TFLOPS per watt; without: every GPU at its peak FP16 throughput. */
    POWER_LIMIT("power-limit"),
    /** The GPU's vendor: its memory system in generation, and its driver's kernels for a backend every vendor implements (Vulkan); without: neither. */
    VENDOR("vendor"),
    /** The per-token overhead paid once per layer of the model; without: one overhead per token whatever the model's depth. */
    LAYER_OVERHEAD("layer-overhead"),
    /** Generation groups per GPU architecture (the kernels a backend picks for it); without: the backend on the memory class is the first group after the narrow one. */
    ARCHITECTURE("architecture"),
    /** A generation group on fewer than {@link CalibrationGroups#MIN_RIGS} rigs pooled with the established one its chain falls back to; without: such a group is passed over. */
    POOLING("pooling");

    private final String optionName;

    Term(String optionName) {
      this.optionName = optionName;
    }

    public String optionName() {
      return optionName;
    }

    public static Optional<Term> ofName(String name) {
      String wanted = name.strip().toLowerCase(Locale.ROOT);
      return Arrays.stream(values()).filter(t -> t.optionName.equals(wanted)).findFirst();
    }

    public static String names() {
      return Arrays.stream(values()).map(Term::optionName).collect(Collectors.joining(", "));
    }
  }

  public ModelForm {
    without = without.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(without));
  }

  public boolean has(Term term) {
    return !without.contains(term);
  }

  /** "depth, moe": the terms left out, in the order of {@link Term}. */
  public String describeWithout() {
    return Arrays.stream(Term.values()).filter(without::contains).map(Term::optionName).collect(Collectors.joining(", "));
  }
}
