package io.tokbench.agent.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.tokbench.agent.fakes.FakeHttpServer;
import io.tokbench.schema.TimingSource;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * llama.cpp's server and OpenAI-compatible servers, replayed from recorded responses that follow
 * their documentation (src/test/resources/runtime/FORMATS.md: llama.cpp tools/server/README.md;
 * OpenAI's chat streaming reference with stream_options.include_usage; vLLM's reasoning fields).
 */
class ReplayedRuntimesTest {
  private final FakeHttpServer server = new FakeHttpServer();

  @AfterEach
  void stop() {
    server.close();
  }

  /** Sends a recorded SSE body event by event, pausing between events like a generating server. */
  private void replaySse(String method, String path, String resource, long pauseMillis) {
    server.route(method, path, (body, ex) -> {
      ex.startStream(200, "text/event-stream");
      for (String line : FakeHttpServer.resource(resource).split("\n")) {
        ex.line(line);
        if (line.startsWith("data:")) {
          Thread.sleep(pauseMillis);
        }
      }
      ex.endStream();
    });
  }

  private static GenerationRequest request(String model) {
    return new GenerationRequest(model, "a prompt", 4096, 24, 42, 0);
  }

  @Test
  void llamaCppRatesComeFromTheServersTimingsInMilliseconds() {
    server.route("GET", "/health", (b, ex) -> ex.json(200, FakeHttpServer.resource("/runtime/llamacpp/health-ok.json")));
    server.route("GET", "/props", (b, ex) -> ex.json(200, FakeHttpServer.resource("/runtime/llamacpp/props.json")));
    replaySse("POST", "/completion", "/runtime/llamacpp/completion-stream.sse", 2);
    LlamaCppClient client = new LlamaCppClient(server.url(), Duration.ofSeconds(10));

    Generation g = client.generate(request("any"));

    // timings: prompt_n 26, prompt_ms 58.5, predicted_n 24, predicted_ms 270.6
    assertThat(g.generatedTokens()).isEqualTo(24);
    assertThat(g.generationTokensPerSecond()).isCloseTo(24 / 0.2706, within(1e-6));
    assertThat(g.promptTokens()).isEqualTo(26);
    assertThat(g.promptTokensPerSecond().getAsDouble()).isCloseTo(26 / 0.0585, within(1e-6));
    assertThat(g.cachedPromptTokens()).hasValue(0);
    assertThat(g.stopReason()).isEqualTo("length");
    assertThat(g.generationSource()).isEqualTo(TimingSource.RUNTIME);
    assertThat(server.requests("/completion").get(0).body().path("cache_prompt").asBoolean(true))
        .as("prompt cache off, so prefill is measured").isFalse();
    assertThat(client.fixedContextLength()).isPresent();
  }

  @Test
  void llamaCppStillLoadingIsAClearError() {
    server.route("GET", "/health", (b, ex) -> ex.json(503, FakeHttpServer.resource("/runtime/llamacpp/health-loading.json")));
    LlamaCppClient client = new LlamaCppClient(server.url(), Duration.ofSeconds(10));
    assertThatThrownBy(client::info).isInstanceOf(RuntimeUnavailableException.class).hasMessageContaining("still loading");
  }

  @Test
  void llamaCppModelMetaGivesSizeAndParameters() {
    server.route("GET", "/v1/models", (b, ex) -> ex.json(200, FakeHttpServer.resource("/runtime/llamacpp/models.json")));
    LlamaCppClient client = new LlamaCppClient(server.url(), Duration.ofSeconds(10));
    String model = client.models().get(0);
    ModelDescription description = client.describe(model);
    assertThat(description.parameterCount()).isPresent();
    assertThat(description.fileSizeBytes()).isPresent();
    assertThat(description.quantization()).contains("Q4_K_M");
  }

  @Test
  void openAiStreamCountsTokensFromTheUsageChunkAndTimesThemOnTheClientClock() {
    replaySse("POST", "/v1/chat/completions", "/runtime/openai/chat-stream-usage.sse", 20);
    OpenAiCompatibleClient client = new OpenAiCompatibleClient(server.url(), "vllm", Duration.ofSeconds(10));

    Generation g = client.generate(request("gpt-4o-mini"));

    // usage: completion_tokens 12; 12 content events at least 20 ms apart → 11 decode steps over
    // at least 220 ms (the upper bound on the rate is exact; the lower one allows a slow machine).
    assertThat(g.generatedTokens()).isEqualTo(11);
    assertThat(g.generationTokensPerSecond()).isBetween(11 / 1.0, 11 / 0.20);
    assertThat(g.promptTokens()).isEqualTo(14);
    assertThat(g.generationSource()).isEqualTo(TimingSource.CLIENT);
    assertThat(g.stopReason()).isEqualTo("length");
    assertThat(server.requests("/v1/chat/completions").get(0).body().path("stream_options").path("include_usage").asBoolean()).isTrue();
  }

  @Test
  void openAiTimeToFirstTokenCountsReasoningDeltas() {
    // 24 reasoning deltas precede the first content delta; events arrive 20 ms apart, so a TTFT
    // taken at the first content would be ~500 ms, at the first reasoning delta ~20 ms.
    replaySse("POST", "/v1/chat/completions", "/runtime/openai/chat-stream-reasoning.sse", 20);
    OpenAiCompatibleClient client = new OpenAiCompatibleClient(server.url(), "vllm", Duration.ofSeconds(10));
    Generation viaReasoningContent = client.generate(request("deepseek-r1"));
    assertThat(viaReasoningContent.timeToFirstTokenNanos()).isLessThan(300_000_000L);

    // Current vLLM names the field "reasoning" (FORMATS.md): same treatment.
    replaySse("POST", "/v1/chat/completions", "/runtime/openai/chat-stream-reasoning-field-reasoning.sse", 20);
    Generation viaReasoning = client.generate(request("deepseek-r1"));
    assertThat(viaReasoning.timeToFirstTokenNanos()).isLessThan(300_000_000L);
  }

  @Test
  void llamaCppsOpenAiTimingsAreUsedWhenPresent() {
    replaySse("POST", "/v1/chat/completions", "/runtime/openai/chat-stream-llamacpp-timings.sse", 1);
    OpenAiCompatibleClient client = new OpenAiCompatibleClient(server.url(), "llama.cpp", Duration.ofSeconds(10));
    Generation g = client.generate(request("llama"));
    assertThat(g.generationSource()).isEqualTo(TimingSource.RUNTIME);
    assertThat(g.cachedPromptTokens()).hasValue(236);
    assertThat(g.promptTokens()).isEqualTo(12);
  }

  @Test
  void aServerThatIgnoresIncludeUsageIsRefusedRatherThanGuessed() {
    server.route("POST", "/v1/chat/completions", (body, ex) -> {
      ex.startStream(200, "text/event-stream");
      ex.line("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"finish_reason\":null}]}");
      ex.line("");
      ex.line("data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}");
      ex.line("");
      ex.line("data: [DONE]");
      ex.endStream();
    });
    OpenAiCompatibleClient client = new OpenAiCompatibleClient(server.url(), "some-server", Duration.ofSeconds(10));
    assertThatThrownBy(() -> client.generate(request("m"))).isInstanceOf(RuntimeUnavailableException.class).hasMessageContaining("include_usage");
  }
}
