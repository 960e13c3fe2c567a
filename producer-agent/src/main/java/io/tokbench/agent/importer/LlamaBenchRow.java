package io.tokbench.agent.importer;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * One result row of llama-bench, whatever format it came in, with the field names of its CSV and
 * JSON printers. Markdown shows fewer fields, so most are optional.
 *
 * @param number the row's position in the file, from 1, for messages
 * @param test the test's shape: tokens of prompt, of generation, and the depth it ran at
 * @param configuration every field that is not the test's shape, time or result (model, backend,
 *     threads, batch, n_gpu_layers, ...): two rows with equal configurations differ only in what
 *     they measured, so a prompt row can join the generation row of its run
 * @param samplesNs the repetitions' times (JSON, JSONL); empty when the format holds only the mean
 */
public record LlamaBenchRow(
    int number,
    Test test,
    Map<String, String> configuration,
    Optional<Instant> testTime,
    double avgTs,
    OptionalDouble stddevTs,
    OptionalLong avgNs,
    List<Long> samplesNs,
    List<Double> samplesTs) {

  public LlamaBenchRow {
    configuration = Map.copyOf(configuration);
    samplesNs = List.copyOf(samplesNs);
    samplesTs = List.copyOf(samplesTs);
  }

  /** A test as llama-bench names it: pp512 (prompt only), tg128 (generation only), pp512+tg128, each optionally "@ d512". */
  public record Test(int promptTokens, int generatedTokens, int depth) {
    public boolean generationOnly() {
      return generatedTokens > 0 && promptTokens == 0;
    }

    public boolean promptOnly() {
      return promptTokens > 0 && generatedTokens == 0;
    }

    public String label() {
      String shape = promptOnly() ? "pp" + promptTokens : generationOnly() ? "tg" + generatedTokens : "pp" + promptTokens + "+tg" + generatedTokens;
      return depth > 0 ? shape + " @ d" + depth : shape;
    }
  }

  public Optional<String> field(String name) {
    return Optional.ofNullable(configuration.get(name)).filter(v -> !v.isBlank());
  }
}
