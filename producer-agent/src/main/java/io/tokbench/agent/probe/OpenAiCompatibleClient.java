package io.tokbench.agent.probe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tokbench.schema.TimingSource;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * OpenAI-compatible servers (vLLM, LM Studio, SGLang, Ollama's /v1, llama.cpp's /v1): streaming
 * {@code /v1/chat/completions} with {@code stream_options.include_usage}, so the last chunk carries
 * token counts. Time to first token is taken at the first non-empty content or reasoning delta;
 * the decode rate from the tokens after the first over the time from first to last token, on the
 * client's clock, unless the server adds its own {@code timings} (llama.cpp) or {@code stats}
 * (LM Studio).
 */
public final class OpenAiCompatibleClient implements RuntimeClient {
  /** vLLM's and SGLang's usual port; LM Studio listens on {@link #LM_STUDIO_URL}. */
  public static final String DEFAULT_URL = "http://localhost:8000";
  public static final String LM_STUDIO_URL = "http://localhost:1234";

  private final JsonHttp http;
  private final String serverName;

  public OpenAiCompatibleClient(String url, String serverName, Duration requestTimeout) {
    this.http = new JsonHttp(url, Duration.ofSeconds(3), requestTimeout);
    this.serverName = serverName;
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
    if (answer.status() != 200 || !answer.body().has("data")) {
      throw new RuntimeUnavailableException(url() + " answered HTTP " + answer.status() + " to /v1/models: is this an OpenAI-compatible server?");
    }
    return new RuntimeInfo(name(), Optional.empty());
  }

  @Override
  public List<String> models() {
    return http.openAiModelIds();
  }

  @Override
  public ModelDescription describe(String model) {
    List<String> served = models();
    if (!served.contains(model)) {
      throw new ModelNotFoundException(model, url() + " serves " + served + ", not " + model);
    }
    return ModelDescription.unknown(model);
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
    long start = System.nanoTime();
    JsonHttp.Streamed response = http.stream("/v1/chat/completions", body);
    try (response; Stream<String> lines = response.lines()) {
      if (response.statusCode() == 404) {
        throw new ModelNotFoundException(request.model(), url() + " does not serve " + request.model() + ": " + String.join(" ", lines.toList()));
      }
      if (response.statusCode() != 200) {
        throw new RuntimeUnavailableException(url() + " answered HTTP " + response.statusCode() + ": " + String.join(" ", lines.toList()));
      }
      long firstToken = -1;
      long lastToken = -1;
      JsonNode usage = null;
      JsonNode timings = null;
      JsonNode stats = null;
      String finishReason = "stop";
      Iterator<String> it = lines.iterator();
      while (it.hasNext()) {
        String line = it.next();
        if (!line.startsWith("data:")) {
          continue;
        }
        String data = line.substring(5).trim();
        if (data.equals("[DONE]")) {
          break;
        }
        JsonNode chunk = JsonHttp.parse(data);
        if (chunk.has("error")) {
          throw new RuntimeUnavailableException(url() + " stopped: " + chunk.get("error").path("message").asText(chunk.get("error").asText()));
        }
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
          if (choice.hasNonNull("finish_reason")) {
            finishReason = choice.get("finish_reason").asText();
          }
        }
        if (chunk.hasNonNull("usage") && chunk.get("usage").has("completion_tokens")) {
          usage = chunk.get("usage");
        }
        if (chunk.has("timings")) {
          timings = chunk.get("timings");
        }
        if (chunk.has("stats")) {
          stats = chunk.get("stats");
        }
      }
      if (firstToken < 0) {
        throw new RuntimeUnavailableException(url() + " streamed no tokens for " + request.model());
      }
      return measure(start, firstToken, lastToken, usage, timings, stats, finishReason);
    }
  }

  private Generation measure(long start, long firstToken, long lastToken, JsonNode usage, JsonNode timings, JsonNode stats, String finishReason) {
    long ttft = firstToken - start;
    String stop = finishReason.equals("length") ? "length" : "stop";
    if (timings != null && timings.has("predicted_n")) {
      return LlamaCppClient.fromTimings(timings, ttft, stop); // llama-server behind the OpenAI API
    }
    if (usage == null) {
      throw new RuntimeUnavailableException(url() + " sent no usage chunk: it ignores stream_options.include_usage, so tokens cannot be counted");
    }
    int completion = usage.path("completion_tokens").asInt();
    int prompt = usage.path("prompt_tokens").asInt();
    OptionalInt cached = usage.path("prompt_tokens_details").has("cached_tokens")
        ? OptionalInt.of(usage.path("prompt_tokens_details").path("cached_tokens").asInt()) : OptionalInt.empty();
    if (stats != null && stats.has("tokens_per_second") && stats.has("time_to_first_token")) {
      // LM Studio times generation itself: tokens_per_second over completion tokens.
      long generationNanos = Math.round(completion / stats.get("tokens_per_second").asDouble() * 1e9);
      long firstTokenNanos = Math.round(stats.get("time_to_first_token").asDouble() * 1e9);
      return new Generation(prompt, OptionalLong.of(firstTokenNanos), completion, generationNanos, ttft, OptionalLong.empty(), cached, stop,
          TimingSource.RUNTIME, TimingSource.RUNTIME);
    }
    // Client clock: the first token's time is prompt processing; the rest are decode steps.
    int decodeSteps = Math.max(1, completion - 1);
    long decodeNanos = Math.max(1, lastToken - firstToken);
    return new Generation(prompt, OptionalLong.of(ttft), decodeSteps, decodeNanos, ttft, OptionalLong.empty(), cached, stop,
        TimingSource.CLIENT, TimingSource.CLIENT);
  }
}
