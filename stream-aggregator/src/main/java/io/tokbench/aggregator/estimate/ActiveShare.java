package io.tokbench.aggregator.estimate;

import io.tokbench.catalog.ModelCatalog;
import io.tokbench.schema.ModelFacts;

/**
 * The share of a model's parameters each token is routed through: 1 for a dense model, the
 * active / total parameters for a mixture of experts. The model catalog knows it for the models it
 * lists (active parameters include shared experts); for others the runtime's metadata gives the
 * expert count and experts used per token.
 */
public final class ActiveShare {
  /**
   * Share of a mixture's parameters that sit in its routed experts: 0.951 for Qwen3-30B-A3B, 0.947
   * for gpt-oss-20b, 0.965 for Mixtral 8x7B, 0.967 for Qwen3-235B-A22B (active = (1 − f) + f × used / experts
   * solved for f with their published active counts).
   */
  static final double EXPERT_PARAMETER_SHARE = 0.95;

  private ActiveShare() {}

  public static double of(String model, ModelFacts facts, ModelCatalog models) {
    if (models.byId(model).isPresent()) {
      return models.activeShare(model);
    }
    return facts == null ? 1.0 : fromExperts(facts.getExpertCount(), facts.getExpertUsedCount());
  }

  /** From the runtime's metadata: experts per layer and experts each token uses; 1 without them. */
  public static double fromExperts(Integer experts, Integer used) {
    if (experts == null || used == null || experts <= 1 || used <= 0 || used >= experts) {
      return 1.0;
    }
    return 1 - EXPERT_PARAMETER_SHARE + EXPERT_PARAMETER_SHARE * used / experts;
  }
}
