package io.tokbench.agent.probe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tokbench.schema.TimingSource;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * OpenAI-compatible servers (vLLM, LM Studio, SGLang, Ollama's /v1, llama.cpp's /v1): streaming
 * {@code /v1/chat/completions} with {@code stream_options.include_usage}, so the last chunk carries
 * token counts. Time to first token is taken at the first non-empty content or reasoning delta;
 * the generation rate from the tokens after the first over the time from first to last token, on
 * the client's clock, unless the server adds its own {@code timings} (llama.cpp) or {@code stats}
 * (LM Studio).
 *
 * <p>llama-server behind this API (its /v1/models entries are {@code owned_by: "llamacpp"}) also
 * gets its own request fields, {@code cache_prompt: false} and {@code ignore_eos: true}, and tells
 * its context and quantization as on its native API. The context comes from the server or is
 * unknown: vLLM's /v1/models gives {@code max_model_len} (vllm/entrypoints/openai/protocol.py,
 * ModelCard).
 */
public final class OpenAiCompatibleClient implements RuntimeClient {
  /** vLLM's and SGLang's usual port; LM Studio listens on {@link #LM_STUDIO_URL}. */
  public static final String DEFAULT_URL = "http://localhost:8000";
  public static final String LM_STUDIO_URL = "http://localhost:1234";

  private final JsonHttp http;
  private final String serverName;
  private final LlamaCppServer llamaCpp;
  private volatile Boolean behindIsLlamaCpp;

  public OpenAiCompatibleClient(String url, String serverName, Duration requestTimeout, Optional<String> apiKey) {
    this.http = new JsonHttp(serverName, url, Duration.ofSeconds(3), requestTimeout, apiKey);
    this.serverName = serverName;
    this.llamaCpp = new LlamaCppServer(http);
  }

  @Override
  public String name() {
    return serverName;
  }

  @Override
  public String url() {
    return http.baseUrl();
  }

  @Override
  public RuntimeInfo info() {
    JsonHttp.Answer answer = http.get("/v1/models");
    if (answer.status() == 401 || answer.status() == 403) {
      throw http.failure(answer.status(), "GET /v1/models", answer.text(), null);
    }
    if (!answer.ok() || !answer.body().path("data").isArray()) {
      throw new RuntimeUnavailableException(url() + " answered HTTP " + answer.status() + " to /v1/models: is this an OpenAI-compatible server?");
    }
    // Only llama-server says its version on this API's side (its /props build_info).
    Optional<String> version = llamaCppBehind() ? Optional.of(llamaCpp.props(null).path("build_info").asText("")).filter(v -> !v.isBlank())
        : Optional.empty();
    return new RuntimeInfo(name(), version);
  }

  @Override
  public List<String> models() {
    List<String> ids = new ArrayList<>();
    http.openAiModels().forEach(m -> ids.add(m.path("id").asText()));
    return ids;
  }

  /**
   * llama-server names itself as the owner of every model it lists. A server without a model list
   * gets only the standard request; if the list failed for a reason that matters, the request
   * itself fails with it.
   */
  private boolean llamaCppBehind() {
    Boolean known = behindIsLlamaCpp;
    if (known == null) {
      boolean any = false;
      try {
        for (JsonNode m : http.openAiModels()) {
          any |= m.path("owned_by").asText("").equals("llamacpp");
        }
      } catch (RuntimeErrorException e) {
        any = false;
      }
      behindIsLlamaCpp = known = any;
    }
    return known;
  }

  private JsonNode entry(String model) {
    for (JsonNode m : http.openAiModels()) {
      if (m.path("id").asText().equals(model)) {
        return m;
      }
    }
    throw new ModelNotFoundException(model, url() + " serves " + models() + ", not " + model);
  }

  @Override
  public ModelDescription describe(String model) {
    entry(model);
    return llamaCppBehind() ? llamaCpp.describe(model) : ModelDescription.unknown(ModelNames.withoutPath(model));
  }

  @Override
  public ServerContext context(String model) {
    JsonNode entry = entry(model);
    if (llamaCppBehind()) {
      return llamaCpp.context(model);
    }
    if (entry.path("max_model_len").canConvertToInt() && entry.get("max_model_len").asInt() > 0) {
      int tokens = entry.get("max_model_len").asInt();
      return ServerContext.fixed(tokens, serverName + " serves " + ModelNames.withoutPath(model) + " with a context of " + tokens + " tokens (max_model_len)");
    }
    return ServerContext.unknown(serverName + " at " + url() + " does not say how much context a request gets");
  }

  @Override
  public Generation generate(GenerationRequest request) {
    ObjectNode body = JsonHttp.JSON.createObjectNode()
        .put("model", request.model())
        .put("max_tokens", request.maxTokens())
        .put("temperature", request.temperature())
        .put("seed", request.seed())
        .put("stream", true);
    body.putArray("messages").addObject().put("role", "user").put("content", request.prompt());
    body.putObject("stream_options").put("include_usage", true);
    if (llamaCppBehind()) {
      body.put("cache_prompt", false).put("ignore_eos", true);
    }
    long start = System.nanoTime();
    try (JsonHttp.Streamed response = http.stream("/v1/chat/completions", body, request.model())) {
      ChatStream stream = new ChatStream();
      Iterator<SseEvents.Event> events = response.events();
      while (events.hasNext()) {
        SseEvents.Event event = events.next();
        if (event.data().strip().equals("[DONE]")) {
          break;
        }
        JsonNode chunk = http.parseRequired(event.data(), "a chunk");
        if (event.isError() || chunk.has("error")) {
          throw http.streamError(request.model(), chunk.has("error") ? chunk.get("error") : chunk);
        }
        stream.add(chunk);
      }
      return measure(request, start, stream);
    } catch (UncheckedIOException e) {
      throw http.readFailure(request.model(), e.getCause());
    }
  }

  /** What a chat stream said, gathered chunk by chunk. */
  private static final class ChatStream {
    long firstToken = -1;
    long lastToken = -1;
    JsonNode usage;
    JsonNode timings;
    JsonNode stats;

    void add(JsonNode chunk) {
      for (JsonNode choice : chunk.path("choices")) {
        JsonNode delta = choice.path("delta");
        boolean token = !delta.path("content").asText("").isEmpty() || !delta.path("reasoning_content").asText("").isEmpty()
            || !delta.path("reasoning").asText("").isEmpty();
        if (token) {
          long now = System.nanoTime();
          if (firstToken < 0) {
            firstToken = now;
          }
          lastToken = now;
        }
      }
      if (chunk.path("usage").has("completion_tokens")) {
        usage = chunk.get("usage");
      }
      if (chunk.has("timings")) {
        timings = chunk.get("timings");
      }
      if (chunk.has("stats")) {
        stats = chunk.get("stats");
      }
    }
  }

  private Generation measure(GenerationRequest request, long start, ChatStream stream) {
    if (stream.timings != null && stream.timings.has("predicted_n")) {
      return llamaCpp.generation(request.model(), stream.timings, request.maxTokens(), false, start, stream.firstToken);
    }
    if (stream.firstToken < 0) {
      throw new RuntimeErrorException(url() + " streamed no text for " + request.model() + ", so the client clock cannot time it");
    }
    OptionalLong ttft = OptionalLong.of(stream.firstToken - start);
    if (stream.usage == null) {
      throw new RuntimeErrorException(url() + " sent no usage chunk: it ignores stream_options.include_usage, so tokens cannot be counted");
    }
    int completion = stream.usage.path("completion_tokens").asInt();
    int prompt = stream.usage.path("prompt_tokens").asInt();
    JsonNode details = stream.usage.path("prompt_tokens_details");
    OptionalInt cached = details.path("cached_tokens").canConvertToInt() ? OptionalInt.of(details.get("cached_tokens").asInt()) : OptionalInt.empty();
    int evaluated = prompt - cached.orElse(0);
    boolean endedEarly = completion < request.maxTokens();
    if (stream.stats != null && stream.stats.path("tokens_per_second").asDouble(0) > 0 && stream.stats.has("time_to_first_token")) {
      // LM Studio times generation itself: tokens_per_second over completion tokens.
      long generationNanos = Math.round(completion / stream.stats.get("tokens_per_second").asDouble() * 1e9);
      long firstTokenNanos = Math.round(stream.stats.get("time_to_first_token").asDouble() * 1e9);
      return new Generation(evaluated, cached, OptionalLong.of(firstTokenNanos), completion, completion, generationNanos, stream.firstToken, ttft,
          OptionalLong.empty(), endedEarly, TimingSource.RUNTIME, TimingSource.RUNTIME);
    }
    // Client clock: the first token's time is prompt processing; the rest are decode steps.
    if (completion < 2) {
      throw new RuntimeErrorException(url() + " generated " + completion + " token(s) with " + request.model() + ": too few to time generation");
    }
    long decodeNanos = Math.max(1, stream.lastToken - stream.firstToken);
    return new Generation(evaluated, cached, ttft, completion, completion - 1, decodeNanos, stream.firstToken, ttft,
        OptionalLong.empty(), endedEarly, TimingSource.CLIENT, TimingSource.CLIENT);
  }
}
