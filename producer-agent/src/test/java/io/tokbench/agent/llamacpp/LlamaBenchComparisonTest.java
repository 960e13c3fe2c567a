package io.tokbench.agent.llamacpp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tokbench.agent.fakes.AgentRun;
import io.tokbench.agent.fakes.RecordedHost;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * The agent's generation rate next to llama-bench's on the same model, threads and build, at the
 * depth the agent's generation actually ran (its prompt): {@code llama-bench -p 0 -n G -d D}.
 * llama-bench's plain tg (depth 0) is printed too, to show what comparing at the wrong depth does.
 * Figures are printed, never asserted (a shared machine's timings vary); the test checks that the
 * comparison is made at the matching shape.
 *
 * <p>Full size, as the README quotes it:
 * {@code mvn -q -pl producer-agent -am test-compile org.codehaus.mojo:exec-maven-plugin:3.6.2:java
 * -Dexec.classpathScope=test -Dexec.mainClass=io.tokbench.agent.llamacpp.LlamaBenchComparisonTest
 * -Dexec.args="512 128 5"}
 */
class LlamaBenchComparisonTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What was measured. */
  record Comparison(int prompt, int generated, int depth, double agent, double benchAtDepth, double benchAtZero) {
    @Override
    public String toString() {
      return String.format(Locale.ROOT, "tg%d after a %d-token prompt (depth %d): agent %.1f tok/s (median), llama-bench tg%d @ d%d %.1f tok/s, "
          + "ratio %.3f; llama-bench tg%d @ d0 %.1f tok/s (agent / that = %.3f)",
          generated, prompt, depth, agent, generated, depth, benchAtDepth, agent / benchAtDepth, generated, benchAtZero, agent / benchAtZero);
    }
  }

  @Test
  void theAgentIsComparedWithLlamaBenchAtTheDepthItsGenerationRan() throws Exception {
    assumeTrue(LlamaCppBuild.home().isPresent(), LlamaCppBuild.absence());
    Comparison comparison = compare(128, 32, 3);
    System.out.println("agent vs llama-bench: " + comparison);
    assertThat(comparison.depth()).as("generation ran after the prompt").isBetween(120, 136);
    assertThat(comparison.agent()).isPositive();
    assertThat(comparison.benchAtDepth()).isPositive();
  }

  static Comparison compare(int prompt, int generated, int repetitions) throws IOException, InterruptedException {
    Path home = TargetFolder.create("llama-bench-");
    JsonNode report;
    try (LlamaServer server = LlamaServer.start("-m", LlamaCppBuild.model().toString(), "-c", String.valueOf(2 * (prompt + generated) + 256), "-np", "1")) {
      AgentRun.Result run = new AgentRun(home).host(RecordedHost.linuxCpuOnly()).run("probe", "--runtime", "llamacpp", "--url", server.url(),
          "--prompt-tokens", String.valueOf(prompt), "--gen-tokens", String.valueOf(generated), "--repetitions", String.valueOf(repetitions),
          "--json", "--dry-run");
      assertThat(run.exitCode()).as(run.err()).isZero();
      report = ReportChecks.reports(run.out()).get(0);
    } finally {
      TargetFolder.delete(home);
    }
    int depth = report.at("/settings/generationDepthTokens").asInt();
    // The server is stopped first: both use the same 2 threads, one at a time.
    JsonNode bench = llamaBench(generated, depth, repetitions);
    JsonNode atDepth = entry(bench, generated, depth);
    JsonNode atZero = entry(bench, generated, 0);
    return new Comparison(prompt, generated, depth, report.at("/summary/generationTokensPerSecondMedian").asDouble(),
        atDepth.get("avg_ts").asDouble(), atZero.get("avg_ts").asDouble());
  }

  private static JsonNode llamaBench(int generated, int depth, int repetitions) throws IOException, InterruptedException {
    Process bench = new ProcessBuilder(List.of(LlamaCppBuild.bench().toString(), "-m", LlamaCppBuild.model().toString(), "-p", "0",
        "-n", String.valueOf(generated), "-d", "0," + depth, "-r", String.valueOf(repetitions), "-t", "2", "-o", "json"))
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    JsonNode out = JSON.readTree(bench.getInputStream());
    assertThat(bench.waitFor()).as("llama-bench exit code").isZero();
    return out;
  }

  /** llama-bench's row for this shape, which must be there: the comparison is at matching depth. */
  private static JsonNode entry(JsonNode bench, int generated, int depth) {
    for (JsonNode row : bench) {
      if (row.path("n_prompt").asInt() == 0 && row.path("n_gen").asInt() == generated && row.path("n_depth").asInt() == depth) {
        return row;
      }
    }
    throw new AssertionError("llama-bench ran no tg" + generated + " @ d" + depth + ": " + bench);
  }

  /** Arguments: prompt tokens, generated tokens, repetitions (default 512 128 5). */
  public static void main(String[] args) throws Exception {
    if (LlamaCppBuild.home().isEmpty()) {
      System.out.println(LlamaCppBuild.absence());
      return;
    }
    int prompt = args.length > 0 ? Integer.parseInt(args[0]) : 512;
    int generated = args.length > 1 ? Integer.parseInt(args[1]) : 128;
    int repetitions = args.length > 2 ? Integer.parseInt(args[2]) : 5;
    System.out.println(compare(prompt, generated, repetitions));
  }
}
