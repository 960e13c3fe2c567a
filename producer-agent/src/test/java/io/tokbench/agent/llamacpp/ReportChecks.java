package io.tokbench.agent.llamacpp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tokbench.normalize.OrderStatistics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Checks a report the agent printed ({@code --json}) against what the real server said about the
 * same requests: every repetition is one of the server's answers, with exactly its timings.
 */
final class ReportChecks {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The agent rounds milliseconds to nanoseconds: rates agree to far better than this. */
  private static final double RELATIVE = 1e-9;

  private ReportChecks() {}

  /** The reports of a {@code probe --json} run. */
  static List<JsonNode> reports(String json) {
    try {
      List<JsonNode> reports = new ArrayList<>();
      JSON.readTree(json).forEach(reports::add);
      return reports;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** What a test learned: how many repetitions matched and the largest relative difference. */
  record Agreement(int repetitions, double largestGenerationDifference, double largestPromptDifference) {
    Agreement plus(Agreement other) {
      return new Agreement(repetitions + other.repetitions, Math.max(largestGenerationDifference, other.largestGenerationDifference),
          Math.max(largestPromptDifference, other.largestPromptDifference));
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "%d repetitions matched to the server's answers; largest relative difference: generation %.2e, prompt %.2e",
          repetitions, largestGenerationDifference, largestPromptDifference);
    }
  }

  /**
   * Each repetition is a distinct answer of the server (same prompt and generation time), and its
   * rates, counts and depth are the server's; the summary medians are the medians of the server's
   * rates; identity and context are the server's, with no path in sight.
   *
   * @param answers the server's timed answers (warm-ups and discarded rounds included)
   */
  static Agreement matchesServer(JsonNode report, List<ServerTimings> answers, String modelName, int context, List<String> neverSeen) {
    String text = report.toString();
    neverSeen.forEach(secret -> assertThat(text).as("the report must not contain %s", secret).doesNotContain(secret));
    assertThat(report.at("/model/name").asText()).isEqualTo(modelName);
    assertThat(report.at("/model/quantization").asText()).isEqualTo("Q8_0");
    assertThat(report.at("/model/parameterCount").asLong()).isEqualTo(24_407_712L);
    assertThat(report.at("/model/architecture/contextLengthTrained").asInt()).isEqualTo(8192);
    assertThat(report.at("/settings/contextLength").asInt()).as("the context a request could use").isEqualTo(context);
    assertThat(report.at("/timing/generation").asText()).isEqualTo("RUNTIME");
    assertThat(report.at("/flags/generationEndedEarly").asBoolean()).isFalse();
    assertThat(report.at("/flags/promptTruncated").asBoolean()).isFalse();

    List<ServerTimings> unused = new ArrayList<>(answers);
    List<Double> generationRates = new ArrayList<>();
    List<Double> promptRates = new ArrayList<>();
    List<Double> depths = new ArrayList<>();
    double generationDifference = 0;
    double promptDifference = 0;
    for (JsonNode rep : report.get("repetitions")) {
      long generationNanos = rep.get("generationDurationNanos").asLong();
      long promptNanos = rep.get("promptDurationNanos").asLong();
      ServerTimings answer = unused.stream().filter(a -> a.predictedNanos() == generationNanos && a.promptNanos() == promptNanos).findFirst()
          .orElseThrow(() -> new AssertionError("repetition " + rep + " is none of the server's answers " + unused));
      unused.remove(answer);
      double rate = rep.get("generatedTokens").asInt() / (generationNanos / 1e9);
      double promptRate = rep.get("promptTokens").asInt() / (promptNanos / 1e9);
      assertThat(rate).as("generation rate = the server's predicted_per_second").isCloseTo(answer.predictedPerSecond(), within(answer.predictedPerSecond() * RELATIVE));
      assertThat(promptRate).as("prompt rate = the server's prompt_per_second").isCloseTo(answer.promptPerSecond(), within(answer.promptPerSecond() * RELATIVE));
      assertThat(rep.get("outputTokens").asInt()).isEqualTo(answer.predictedN());
      assertThat(rep.get("generatedTokens").asInt()).as("decode steps in predicted_ms").isEqualTo(answer.predictedN() - 1);
      assertThat(rep.get("promptTokens").asInt()).isEqualTo(answer.promptN());
      assertThat(answer.cacheN()).as("no prompt served from a cache").isZero();
      generationDifference = Math.max(generationDifference, Math.abs(rate / answer.predictedPerSecond() - 1));
      promptDifference = Math.max(promptDifference, Math.abs(promptRate / answer.promptPerSecond() - 1));
      generationRates.add(answer.predictedPerSecond());
      promptRates.add(answer.promptPerSecond());
      depths.add((double) answer.promptN() + answer.cacheN());
    }
    assertThat(report.at("/summary/generationTokensPerSecondMedian").asDouble()).isCloseTo(median(generationRates), within(median(generationRates) * RELATIVE));
    assertThat(report.at("/summary/promptTokensPerSecondMedian").asDouble()).isCloseTo(median(promptRates), within(median(promptRates) * RELATIVE));
    assertThat(report.at("/settings/generationDepthTokens").asInt()).as("depth: the prompt before generation").isEqualTo((int) Math.round(median(depths)));
    return new Agreement(generationRates.size(), generationDifference, promptDifference);
  }

  static double median(List<Double> values) {
    return OrderStatistics.percentile(values.stream().mapToDouble(Double::doubleValue).sorted().toArray(), 50);
  }
}
