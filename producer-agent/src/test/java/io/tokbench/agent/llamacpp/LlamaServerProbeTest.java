package io.tokbench.agent.llamacpp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokbench.agent.cli.ExitCodes;
import io.tokbench.agent.fakes.AgentRun;
import io.tokbench.agent.fakes.RecordedHost;
import io.tokbench.agent.probe.Generation;
import io.tokbench.agent.probe.GenerationRequest;
import io.tokbench.agent.probe.LlamaCppClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code tokbench-agent probe} against the real llama-server (b10587, CPU, a 27 MB random-weight
 * model; see {@link LlamaCppBuild}), through the llama.cpp and the OpenAI-compatible paths. A
 * recording proxy keeps the server's answers, so every figure the agent reports is checked against
 * the server's own timings for the same request. The model is loaded from a path under a
 * {@code home/alice} folder, which no report may show.
 *
 * <p>Shapes are small (64-token prompts, 16 generated tokens, 2 repetitions): the point is that
 * the figures agree, not how fast the machine is.
 */
class LlamaServerProbeTest {
  private static final String[] SMALL_SUITE = {"--prompt-tokens", "64", "--gen-tokens", "16", "--repetitions", "2"};
  private static final String API_KEY = "tokbench-test-key-5f2c9a";

  private static Path temp;
  private static Path aliceModels;
  private static Path aliceModel;
  private static ReportChecks.Agreement agreement = new ReportChecks.Agreement(0, 0, 0);

  @BeforeAll
  static void realLlamaCpp() throws IOException {
    assumeTrue(LlamaCppBuild.home().isPresent(), LlamaCppBuild.absence());
    temp = TargetFolder.create("llama-server-test-");
    aliceModels = Files.createDirectories(temp.resolve("home/alice/models"));
    aliceModel = aliceModels.resolve("tiny-Q8_0.gguf");
    Files.createSymbolicLink(aliceModel, LlamaCppBuild.model());
  }

  @AfterAll
  static void printAgreementAndCleanUp() throws IOException {
    System.out.println("agent vs llama-server timings: " + agreement);
    TargetFolder.delete(temp);
  }

  private AgentRun agent() {
    return new AgentRun(temp.resolve("agent-" + System.nanoTime())).host(RecordedHost.linuxCpuOnly());
  }

  private static String[] probe(String runtime, String url, String... more) {
    List<String> args = new ArrayList<>(List.of("probe", "--runtime", runtime, "--url", url, "--json", "--dry-run"));
    if (runtime.equals("openai")) {
      args.addAll(List.of("--runtime-name", "llama.cpp"));
    }
    args.addAll(List.of(SMALL_SUITE));
    args.addAll(List.of(more));
    return args.toArray(String[]::new);
  }

  /** What the server itself says a request's context is: its slot's n_ctx. */
  private static int slotContext(LlamaServer server, String query) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create(server.url() + "/props" + query)).header("Authorization", "Bearer " + API_KEY).build();
    String props = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString()).body();
    return new com.fasterxml.jackson.databind.ObjectMapper().readTree(props).at("/default_generation_settings/n_ctx").asInt();
  }

  private List<String> secrets() {
    return List.of("alice", temp.toString(), API_KEY);
  }

  private void checkRun(AgentRun.Result run, RecordingProxy proxy, String path, String modelName, int context, List<Integer> concurrency) {
    assertThat(run.exitCode()).as(run.err()).isZero();
    secrets().forEach(secret -> assertThat(run.out()).as("printed reports").doesNotContain(secret));
    assertThat(run.err()).doesNotContain(API_KEY);
    List<JsonNode> reports = ReportChecks.reports(run.out());
    assertThat(reports).extracting(r -> r.at("/settings/concurrency").asInt()).containsExactlyElementsOf(concurrency);
    List<ServerTimings> answers = ServerTimings.of(proxy.exchanges(path));
    for (JsonNode report : reports) {
      int streams = report.at("/settings/concurrency").asInt();
      assertThat(report.get("repetitions")).hasSize(2 * streams);
      assertThat(report.at("/summary/aggregateTokensPerSecond").asDouble()).isPositive();
      agreement = agreement.plus(ReportChecks.matchesServer(report, answers, modelName, context, secrets()));
    }
  }

  @ParameterizedTest(name = "-c {0} -np 4")
  @ValueSource(ints = {2048, 4096})
  void bothPathsReportTheServersOwnTimingsAtConcurrency124(int serverContext) throws Exception {
    try (LlamaServer server = LlamaServer.start("-m", aliceModel.toString(), "-c", String.valueOf(serverContext), "-np", "4");
        RecordingProxy proxy = new RecordingProxy(server.url())) {
      int context = slotContext(server, "");
      assertThat(context).as("-c shared by 4 slots").isEqualTo(serverContext / 4);

      AgentRun.Result native_ = agent().run(probe("llamacpp", proxy.url(), "--concurrency", "1,2,4", "--ctx", "8192"));
      checkRun(native_, proxy, "/completion", "tiny-Q8_0.gguf", context, List.of(1, 2, 4));
      assertThat(native_.err()).contains("gives each request a context of " + context + " tokens", "4 slots", "not at --ctx [8192]");

      AgentRun.Result openAi = agent().run(probe("openai", proxy.url(), "--concurrency", "1,2,4"));
      checkRun(openAi, proxy, "/v1/chat/completions", "tiny-Q8_0.gguf", context, List.of(1, 2, 4));
      // The chat template wraps the prompt; calibration still lands the whole prompt near 64 tokens.
      ServerTimings.of(proxy.exchanges("/v1/chat/completions")).stream().skip(2)
          .forEach(answer -> assertThat(answer.promptN() + answer.cacheN()).as("prompt size after calibration").isBetween(58, 70));
    }
  }

  @Test
  void routerModeNamesTheModelInEveryRequest() throws Exception {
    try (LlamaServer server = LlamaServer.start("--models-dir", aliceModels.toString(), "-c", "1024");
        RecordingProxy proxy = new RecordingProxy(server.url())) {
      AgentRun.Result native_ = agent().run(probe("llamacpp", proxy.url(), "--concurrency", "1,2"));
      int context = slotContext(server, "?model=tiny-Q8_0");
      assertThat(context).isEqualTo(1024);
      checkRun(native_, proxy, "/completion", "tiny-Q8_0", context, List.of(1, 2));

      AgentRun.Result openAi = agent().run(probe("openai", proxy.url(), "--concurrency", "1,2"));
      checkRun(openAi, proxy, "/v1/chat/completions", "tiny-Q8_0", context, List.of(1, 2));
      assertThat(proxy.exchanges("/completion")).allSatisfy(e -> assertThat(e.requestBody()).contains("\"model\":\"tiny-Q8_0\""));
    }
  }

  @Test
  void anApiKeyIsSentFromTheFlagOrTheEnvironmentAndNeverShown() throws Exception {
    try (LlamaServer server = LlamaServer.start("-m", aliceModel.toString(), "-c", "1024", "-np", "1", "--api-key", API_KEY);
        RecordingProxy proxy = new RecordingProxy(server.url())) {
      AgentRun.Result withoutKey = agent().run(probe("llamacpp", proxy.url()));
      assertThat(withoutKey.exitCode()).isEqualTo(ExitCodes.RUNTIME_AUTHENTICATION_FAILED);
      assertThat(withoutKey.err()).contains("Invalid API Key", "--api-key", "TOKBENCH_RUNTIME_API_KEY").doesNotContain("ollama pull");

      AgentRun.Result wrongKey = agent().run(probe("llamacpp", proxy.url(), "--api-key", "not-the-key"));
      assertThat(wrongKey.exitCode()).isEqualTo(ExitCodes.RUNTIME_AUTHENTICATION_FAILED);
      assertThat(wrongKey.err()).contains("was not accepted").doesNotContain("not-the-key");

      int context = slotContext(server, "");
      AgentRun.Result byFlag = agent().run(probe("llamacpp", proxy.url(), "--api-key", API_KEY));
      checkRun(byFlag, proxy, "/completion", "tiny-Q8_0.gguf", context, List.of(1));

      AgentRun.Result byEnvironment = agent().env("TOKBENCH_RUNTIME_API_KEY", API_KEY).run(probe("openai", proxy.url()));
      checkRun(byEnvironment, proxy, "/v1/chat/completions", "tiny-Q8_0.gguf", context, List.of(1));
    }
  }

  @Test
  void aContextTooSmallForTheSuiteSaysSoAndHowToFixIt() throws Exception {
    try (LlamaServer server = LlamaServer.start("-m", aliceModel.toString(), "-c", "512", "-np", "4");
        RecordingProxy proxy = new RecordingProxy(server.url())) {
      // Each slot gets 512 / 4, padded to 256 tokens; the standard suite needs 512 + 128: refused
      // before any request.
      int context = slotContext(server, "");
      assertThat(context).isLessThan(640);
      AgentRun.Result result = agent().run("probe", "--runtime", "llamacpp", "--url", proxy.url(), "--dry-run");
      assertThat(result.exitCode()).isEqualTo(ExitCodes.CONTEXT_TOO_SMALL);
      assertThat(result.err()).contains("context of " + context + " tokens", "needs 640", "larger -c").doesNotContain("not reachable");
      assertThat(proxy.exchanges("/completion")).isEmpty();
    }
    try (LlamaServer server = LlamaServer.start("-m", aliceModel.toString(), "-c", "256", "-np", "1")) {
      // The suite fits on paper (240 + 8), but the first prompt, sized before the tokenizer is
      // known, does not: the server's own refusal is reported the same way.
      AgentRun.Result result = agent().run("probe", "--runtime", "llamacpp", "--url", server.url(), "--dry-run",
          "--prompt-tokens", "240", "--gen-tokens", "8", "--repetitions", "1");
      assertThat(result.exitCode()).isEqualTo(ExitCodes.CONTEXT_TOO_SMALL);
      assertThat(result.err()).contains("does not fit the 256 tokens of context", "larger -c");
    }
  }

  @Test
  void aFailureInTheMiddleOfAStreamIsARuntimeFailureNotAnUnreachableRuntime() {
    // Two slots share a unified 512-token cache; two parallel 300-token requests overflow it and
    // the server ends both streams with an error event after some tokens.
    try (LlamaServer server = LlamaServer.start("-m", aliceModel.toString(), "-c", "512", "-np", "2", "--kv-unified")) {
      AgentRun.Result result = agent().run("probe", "--runtime", "llamacpp", "--url", server.url(), "--dry-run",
          "--prompt-tokens", "200", "--gen-tokens", "100", "--repetitions", "1", "--concurrency", "2");
      assertThat(result.exitCode()).as(result.err()).isEqualTo(ExitCodes.RUNTIME_FAILED);
      assertThat(result.err()).contains("Context size has been exceeded").doesNotContain("not reachable");
    }
  }

  @Test
  void aGenerationTheContextCutsShortIsFlagged() {
    try (LlamaServer server = LlamaServer.start("-m", aliceModel.toString(), "-c", "256", "-np", "1")) {
      LlamaCppClient client = new LlamaCppClient(server.url(), Duration.ofSeconds(60), Optional.empty());
      String prompt = "0123abcd: " + "the quick brown fox jumps over a lazy dog ".repeat(18);
      Generation generation = client.generate(new GenerationRequest(aliceModel.toString(), prompt, 256, 120, 42, 0));
      assertThat(generation.endedEarly()).isTrue();
      assertThat(generation.outputTokens()).as("what fitted after the prompt").isEqualTo(256 - generation.depth());
    }
  }
}
