package io.tokbench.agent.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.tokbench.agent.fakes.FakeHttpServer;
import io.tokbench.schema.TimingSource;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * llama.cpp's server and OpenAI-compatible servers, replayed from recorded responses: answers the
 * real llama-server b10587 gave (runtime/llamacpp-b10587, see FORMATS.md) and responses that follow
 * the documentation (llama.cpp tools/server/README.md; OpenAI's chat streaming reference with
 * stream_options.include_usage; vLLM's reasoning fields).
 */
class ReplayedRuntimesTest {
  private static final String B10587 = "/runtime/llamacpp-b10587/";
  private final FakeHttpServer server = new FakeHttpServer();

  @AfterEach
  void stop() {
    server.close();
  }

  /** Sends a recorded SSE body line by line, pausing after each event like a generating server. */
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

  private void answer(String method, String path, int status, String resource) {
    server.route(method, path, (b, ex) -> ex.json(status, FakeHttpServer.resource(resource)));
  }

  private LlamaCppClient llamaCpp() {
    return new LlamaCppClient(server.url(), Duration.ofSeconds(10), Optional.empty());
  }

  private static GenerationRequest request(String model, int maxTokens) {
    return new GenerationRequest(model, "a prompt", 4096, maxTokens, 42, 0);
  }

  @Test
  void currentLlamaServerTimesPredictedMinusOneDecodeSteps() {
    // b10587's recorded stream: predicted_n 16 in predicted_ms 55.673, predicted_per_token_ms
    // 3.7115 = 55.673 / 15, predicted_per_second 269.43 = 15 / 0.055673 s.
    replaySse("POST", "/completion", B10587 + "completion-stream.sse", 1);
    Generation g = llamaCpp().generate(request("model/tiny.gguf", 16));

    assertThat(g.outputTokens()).isEqualTo(16);
    assertThat(g.decodeSteps()).isEqualTo(15);
    assertThat(g.decodeNanos()).isEqualTo(55_673_000L);
    assertThat(g.generationTokensPerSecond()).as("the server's predicted_per_second").isCloseTo(269.43042408348754, within(1e-6));
    assertThat(g.promptTokens()).isEqualTo(12);
    assertThat(g.promptTokensPerSecond().getAsDouble()).isCloseTo(951.7766497461929, within(1e-6));
    assertThat(g.cachedPromptTokens()).hasValue(0);
    assertThat(g.depth()).isEqualTo(12);
    assertThat(g.endedEarly()).isFalse();
    assertThat(g.generationSource()).isEqualTo(TimingSource.RUNTIME);
  }

  @Test
  void olderLlamaServersTimingsCountEveryTokenAsADecodeStep() {
    // Fixture from the README of early 2025: predicted_n 24, predicted_ms 270.6,
    // predicted_per_token_ms 11.275 = 270.6 / 24.
    server.route("GET", "/props", (b, ex) -> ex.json(200, FakeHttpServer.resource("/runtime/llamacpp/props.json")));
    replaySse("POST", "/completion", "/runtime/llamacpp/completion-stream.sse", 2);
    Generation g = llamaCpp().generate(request("any", 24));

    assertThat(g.decodeSteps()).isEqualTo(24);
    assertThat(g.generationTokensPerSecond()).isCloseTo(24 / 0.2706, within(1e-6));
    assertThat(g.promptTokensPerSecond().getAsDouble()).isCloseTo(26 / 0.0585, within(1e-6));
    JsonRequest sent = new JsonRequest(server.requests("/completion").get(0).body());
    assertThat(sent.bool("cache_prompt")).as("prompt cache off, so prefill is measured").isFalse();
    assertThat(sent.bool("ignore_eos")).as("every repetition generates what the suite asks").isTrue();
    assertThat(sent.text("model")).as("a router needs the model named").isEqualTo("any");
  }

  /** A recorded request body's fields. */
  private record JsonRequest(com.fasterxml.jackson.databind.JsonNode body) {
    Boolean bool(String field) {
      return body.has(field) ? body.get(field).asBoolean() : null;
    }

    String text(String field) {
      return body.path(field).asText();
    }
  }

  @Test
  void aGenerationTheContextCutShortIsFlaggedAndCountsWhatItProduced() {
    // Recorded: -c 256, a 195-token prompt, n_predict 100: 61 tokens, "truncated": true.
    replaySse("POST", "/completion", B10587 + "completion-stream-truncated.sse", 0);
    Generation g = llamaCpp().generate(request("tiny-Q8_0", 100));

    assertThat(g.endedEarly()).isTrue();
    assertThat(g.outputTokens()).isEqualTo(61);
    assertThat(g.decodeSteps()).isEqualTo(60);
  }

  @Test
  void anErrorInTheMiddleOfTheStreamIsARuntimeFailureWithTheServersMessage() {
    // Recorded: two parallel requests overflowing a unified KV cache; 58 tokens, then the error.
    replaySse("POST", "/completion", B10587 + "completion-stream-error.sse", 0);
    assertThatThrownBy(() -> llamaCpp().generate(request("tiny", 100)))
        .isInstanceOf(RuntimeErrorException.class)
        .hasMessageContaining("Context size has been exceeded.")
        .hasMessageNotContaining("reach");
  }

  @Test
  void olderServersErrorFieldInTheStreamIsReadToo() {
    server.streamLines("POST", "/completion", List.of("data: {\"content\":\"a\",\"tokens\":[1],\"stop\":false}", "",
        "error: {\"code\":500,\"message\":\"slot unavailable\",\"type\":\"server_error\"}", ""));
    assertThatThrownBy(() -> llamaCpp().generate(request("tiny", 8))).isInstanceOf(RuntimeErrorException.class).hasMessageContaining("slot unavailable");
  }

  @Test
  void aStreamThatStopsBeforeItsLastEventIsARuntimeFailure() {
    server.streamLines("POST", "/completion", List.of("data: {\"content\":\"a\",\"tokens\":[1],\"stop\":false}", ""));
    assertThatThrownBy(() -> llamaCpp().generate(request("tiny", 8))).isInstanceOf(RuntimeErrorException.class).hasMessageContaining("stop: true");
  }

  @Test
  void aPromptLargerThanTheContextSaysSo() {
    answer("POST", "/completion", 400, B10587 + "exceed-context-400.json");
    assertThatThrownBy(() -> llamaCpp().generate(request("tiny", 8)))
        .isInstanceOf(ContextTooSmallException.class)
        .hasMessageContaining("377 tokens")
        .hasMessageContaining("256 tokens of context");
  }

  @Test
  void aServerWantingAnApiKeyIsAskedWithItAsABearerToken() {
    server.route("GET", "/health", (b, ex) -> ex.json(200, "{\"status\":\"ok\"}"));
    answer("GET", "/props", 401, B10587 + "unauthorized-401.json");
    assertThatThrownBy(llamaCpp()::info).isInstanceOf(RuntimeAuthenticationException.class)
        .hasMessageContaining("Invalid API Key").hasMessageContaining("--api-key").hasMessageContaining("TOKBENCH_RUNTIME_API_KEY");

    server.route("GET", "/props", (b, ex) -> ex.json(200, FakeHttpServer.resource(B10587 + "props.json")));
    LlamaCppClient withKey = new LlamaCppClient(server.url(), Duration.ofSeconds(10), Optional.of("s3cret-key"));
    assertThat(withKey.info().version()).contains("b10587-3f545bec");
    assertThat(server.headers("/props")).last().satisfies(h -> assertThat(h.get("Authorization")).isEqualTo("Bearer s3cret-key"));
  }

  @Test
  void aRouterIsAskedAboutTheModelItself() {
    // Router: /props has "role": "router" and no context; /props?model= answers for the model and
    // loads it, after which /v1/models gives its meta.
    server.route("GET", "/props", (b, ex) -> ex.json(200, FakeHttpServer.resource(
        ex.query().contains("model=tiny-Q8_0") ? B10587 + "router-props-model.json" : B10587 + "router-props.json")));
    boolean[] loaded = {false};
    server.route("GET", "/v1/models", (b, ex) -> {
      ex.json(200, FakeHttpServer.resource(loaded[0] ? B10587 + "router-models-loaded.json" : B10587 + "router-models-unloaded.json"));
      loaded[0] = true;
    });
    LlamaCppClient client = llamaCpp();

    ModelDescription model = client.describe("tiny-Q8_0");
    assertThat(model.name()).isEqualTo("tiny-Q8_0");
    assertThat(model.quantization()).contains("Q8_0");
    assertThat(model.parameterCount()).hasValue(24_407_712L);
    assertThat(model.fileSizeBytes()).hasValue(25_944_192L);
    assertThat(model.architecture()).hasValueSatisfying(a -> assertThat(a.getContextLengthTrained()).isEqualTo(8192));
    assertThat(client.context("tiny-Q8_0").tokens()).hasValue(2048);
  }

  @Test
  void aModelLoadedByPathIsNamedByItsFileNameOnly() {
    answer("GET", "/v1/models", 200, B10587 + "models.json");
    answer("GET", "/props", 200, B10587 + "props.json");
    ModelDescription model = llamaCpp().describe("model/tiny.gguf");

    assertThat(model.name()).isEqualTo("tiny.gguf");
    assertThat(model.quantization()).as("meta.ftype").contains("Q8_0");
    assertThat(llamaCpp().context("model/tiny.gguf").tokens()).as("one slot's n_ctx").hasValue(4096);
    assertThat(llamaCpp().context("model/tiny.gguf").description()).contains("4 slots");
  }

  @Test
  void somethingElseOnTheLlamaCppPortIsNotTakenForIt() {
    // The aggregator's API answers /health with {"status":"up"} and has no /props.
    server.route("GET", "/health", (b, ex) -> ex.json(200, "{\"status\":\"up\"}"));
    assertThatThrownBy(llamaCpp()::info).isInstanceOf(RuntimeUnavailableException.class).hasMessageContaining("not llama.cpp's server");
  }

  @Test
  void llamaCppStillLoadingIsAClearError() {
    answer("GET", "/health", 503, "/runtime/llamacpp/health-loading.json");
    assertThatThrownBy(llamaCpp()::info).isInstanceOf(RuntimeUnavailableException.class).hasMessageContaining("still loading");
  }

  @Test
  void llamaCppModelMetaGivesSizeAndParameters() {
    answer("GET", "/v1/models", 200, "/runtime/llamacpp/models.json");
    answer("GET", "/props", 200, "/runtime/llamacpp/props.json");
    LlamaCppClient client = llamaCpp();
    String model = client.models().get(0);
    ModelDescription description = client.describe(model);
    assertThat(description.name()).isEqualTo("Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf");
    assertThat(description.parameterCount()).isPresent();
    assertThat(description.fileSizeBytes()).isPresent();
    assertThat(description.quantization()).as("from the file name when the server does not say").contains("Q4_K_M");
  }

  @Test
  void openAiStreamCountsTokensFromTheUsageChunkAndTimesThemOnTheClientClock() {
    replaySse("POST", "/v1/chat/completions", "/runtime/openai/chat-stream-usage.sse", 20);
    OpenAiCompatibleClient client = new OpenAiCompatibleClient(server.url(), "vllm", Duration.ofSeconds(10), Optional.empty());

    Generation g = client.generate(request("gpt-4o-mini", 12));

    // usage: completion_tokens 12; 12 content events at least 20 ms apart → 11 decode steps over
    // at least 220 ms (the upper bound on the rate is exact; the lower one allows a loaded machine
    // stalls of seconds).
    assertThat(g.outputTokens()).isEqualTo(12);
    assertThat(g.decodeSteps()).isEqualTo(11);
    assertThat(g.generationTokensPerSecond()).isBetween(11 / 3.0, 11 / 0.20);
    assertThat(g.promptTokens()).isEqualTo(14);
    assertThat(g.generationSource()).isEqualTo(TimingSource.CLIENT);
    assertThat(g.endedEarly()).isFalse();
    assertThat(server.requests("/v1/chat/completions").get(0).body().path("stream_options").path("include_usage").asBoolean()).isTrue();
  }

  @Test
  void openAiGenerationShorterThanAskedIsFlagged() {
    replaySse("POST", "/v1/chat/completions", "/runtime/openai/chat-stream-usage.sse", 0);
    OpenAiCompatibleClient client = new OpenAiCompatibleClient(server.url(), "vllm", Duration.ofSeconds(10), Optional.empty());
    assertThat(client.generate(request("gpt-4o-mini", 128)).endedEarly()).isTrue();
  }

  @Test
  void openAiTimeToFirstTokenCountsReasoningDeltas() {
    // 24 reasoning deltas precede the first content delta; events arrive 60 ms apart, so a TTFT
    // taken at the first content would be ~1.5 s, at the first reasoning delta ~60 ms (the bound
    // leaves a loaded machine room for a stall).
    replaySse("POST", "/v1/chat/completions", "/runtime/openai/chat-stream-reasoning.sse", 60);
    OpenAiCompatibleClient client = new OpenAiCompatibleClient(server.url(), "vllm", Duration.ofSeconds(10), Optional.empty());
    Generation viaReasoningContent = client.generate(request("deepseek-r1", 43));
    assertThat(viaReasoningContent.timeToFirstTokenNanos().getAsLong()).isLessThan(750_000_000L);

    // Current vLLM names the field "reasoning" (FORMATS.md): same treatment.
    replaySse("POST", "/v1/chat/completions", "/runtime/openai/chat-stream-reasoning-field-reasoning.sse", 60);
    Generation viaReasoning = client.generate(request("deepseek-r1", 43));
    assertThat(viaReasoning.timeToFirstTokenNanos().getAsLong()).isLessThan(750_000_000L);
  }

  @Test
  void llamaServerBehindTheOpenAiApiIsTimedByItsTimingsAndToldNotToCache() {
    // Recorded from b10587: 16 completion tokens, predicted_ms 541.393 over 15 decode steps.
    answer("GET", "/v1/models", 200, B10587 + "models.json");
    replaySse("POST", "/v1/chat/completions", B10587 + "chat-stream.sse", 1);
    OpenAiCompatibleClient client = new OpenAiCompatibleClient(server.url(), "llama.cpp", Duration.ofSeconds(10), Optional.empty());
    Generation g = client.generate(request("model/tiny.gguf", 16));

    assertThat(g.generationSource()).isEqualTo(TimingSource.RUNTIME);
    assertThat(g.decodeSteps()).isEqualTo(15);
    assertThat(g.generationTokensPerSecond()).isCloseTo(27.706305770484654, within(1e-6));
    assertThat(g.depth()).isEqualTo(33);
    JsonRequest sent = new JsonRequest(server.requests("/v1/chat/completions").get(0).body());
    assertThat(sent.bool("cache_prompt")).isFalse();
    assertThat(sent.bool("ignore_eos")).isTrue();
  }

  @Test
  void tokensThatShowNoTextStillCountWhenTheServerTimedThemButTheirTimeToFirstTokenIsUnknown() {
    // A model can generate bytes that form no character (seen from the random-weight test model):
    // llama-server then streams no content deltas, only its finish and usage chunks.
    answer("GET", "/v1/models", 200, B10587 + "models.json");
    server.streamLines("POST", "/v1/chat/completions",
        FakeHttpServer.resource(B10587 + "chat-stream.sse").lines().filter(line -> !line.contains("\"content\":\"")).toList());
    OpenAiCompatibleClient client = new OpenAiCompatibleClient(server.url(), "llama.cpp", Duration.ofSeconds(10), Optional.empty());
    Generation g = client.generate(request("model/tiny.gguf", 16));
    assertThat(g.generationTokensPerSecond()).isCloseTo(27.706305770484654, within(1e-6));
    assertThat(g.timeToFirstTokenNanos()).isEmpty();
  }

  @Test
  void llamaCppsOpenAiTimingsAreUsedWhenPresent() {
    replaySse("POST", "/v1/chat/completions", "/runtime/openai/chat-stream-llamacpp-timings.sse", 1);
    OpenAiCompatibleClient client = new OpenAiCompatibleClient(server.url(), "llama.cpp", Duration.ofSeconds(10), Optional.empty());
    Generation g = client.generate(request("llama", 16));
    assertThat(g.generationSource()).isEqualTo(TimingSource.RUNTIME);
    assertThat(g.cachedPromptTokens()).hasValue(236);
    assertThat(g.promptTokens()).isEqualTo(12);
  }

  @Test
  void anOpenAiServerWithoutAContextFigureLeavesItUnknown() {
    server.route("GET", "/v1/models", (b, ex) -> ex.json(200, "{\"object\":\"list\",\"data\":[{\"id\":\"m\",\"object\":\"model\",\"owned_by\":\"someone\"}]}"));
    OpenAiCompatibleClient client = new OpenAiCompatibleClient(server.url(), "some-server", Duration.ofSeconds(10), Optional.empty());
    ServerContext context = client.context("m");
    assertThat(context.tokens()).isEmpty();
    assertThat(context.requestChooses()).isFalse();

    // vLLM's ModelCard carries max_model_len.
    server.route("GET", "/v1/models", (b, ex) -> ex.json(200,
        "{\"object\":\"list\",\"data\":[{\"id\":\"/home/alice/ckpt/qwen\",\"object\":\"model\",\"owned_by\":\"vllm\",\"max_model_len\":8192}]}"));
    assertThat(client.context("/home/alice/ckpt/qwen").tokens()).hasValue(8192);
    assertThat(client.describe("/home/alice/ckpt/qwen").name()).isEqualTo("qwen");
  }

  @Test
  void aServerThatIgnoresIncludeUsageIsRefusedRatherThanGuessed() {
    server.streamLines("POST", "/v1/chat/completions", List.of("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"finish_reason\":null}]}", "",
        "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}", "", "data: [DONE]"));
    OpenAiCompatibleClient client = new OpenAiCompatibleClient(server.url(), "some-server", Duration.ofSeconds(10), Optional.empty());
    assertThatThrownBy(() -> client.generate(request("m", 8))).isInstanceOf(RuntimeErrorException.class).hasMessageContaining("include_usage");
  }
}
