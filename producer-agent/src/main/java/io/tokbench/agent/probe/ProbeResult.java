package io.tokbench.agent.probe;

import io.tokbench.normalize.Normalization;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * One measured shape (model × context × concurrency), before it becomes a report.
 *
 * @param aggregateRates per repetition, all streams' tokens / wall time; empty at concurrency 1
 */
public record ProbeResult(
    String model,
    ModelDescription description,
    int contextLength,
    int concurrency,
    List<Generation> generations,
    List<Double> aggregateRates,
    OptionalLong loadNanos,
    Optional<LoadedModel> loaded,
    Offload offload,
    boolean noisy,
    boolean promptTruncated,
    OptionalDouble averageWatts,
    Instant finishedAt) {

  public ProbeResult {
    generations = List.copyOf(generations);
    aggregateRates = List.copyOf(aggregateRates);
  }

  public boolean partialOffload() {
    return loaded.map(l -> l.gpuOffloadFraction() < Normalization.FULL_OFFLOAD).orElse(false);
  }
}
