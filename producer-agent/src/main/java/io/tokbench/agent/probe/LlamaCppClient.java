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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * llama.cpp's server (ggml-org/llama.cpp tools/server/README.md): {@code /health}, {@code /props},
 * {@code /v1/models} and streaming {@code /completion} with {@code cache_prompt: false}. The final
 * chunk's {@code timings} ({@code prompt_n}, {@code prompt_ms}, {@code predicted_n},
 * {@code predicted_ms}, {@code cache_n}) are the server's own timers, in milliseconds.
 */
public final class LlamaCppClient implements RuntimeClient {
  public static final String DEFAULT_URL = "http://localhost:8080";
  private static final Pattern QUANT_IN_FILE_NAME = Pattern.compile("(?i)(IQ\\d_[A-Z0-9_]+|Q\\d_K(?:_[SML])?|Q\\d_\\d|Q\\d_K|F16|BF16|F32)(?=[.-]|$)");

  private final JsonHttp http;

  public LlamaCppClient(String url, Duration requestTimeout) {
    this.http = new JsonHttp(url, Duration.ofSeconds(3), requestTimeout);
  }

  @Override
  public String name() {
    return "llama.cpp";
  }

  @Override
  public String url() {
    return http.baseUrl();
  }

  @Override
  public RuntimeInfo info() {
    JsonHttp.Answer health = http.get("/health");
    if (health.status() == 503) {
      throw new RuntimeUnavailableException("llama.cpp at " + url() + " is still loading its model; try again in a moment");
    }
    if (health.status() != 200) {
      throw new RuntimeUnavailableException("llama.cpp at " + url() + " answered HTTP " + health.status() + " to /health");
    }
    JsonNode props = http.get("/props").body();
    String build = props.path("build_info").asText("");
    return new RuntimeInfo(name(), build.isEmpty() ? Optional.empty() : Optional.of(build));
  }

  @Override
  public List<String> models() {
    return http.openAiModelIds();
  }

  @Override
  public ModelDescription describe(String model) {
    for (JsonNode m : http.get("/v1/models").body().path("data")) {
      if (!m.path("id").asText().equals(model)) {
        continue;
      }
      JsonNode meta = m.path("meta");
      Matcher quant = QUANT_IN_FILE_NAME.matcher(model);
      Optional<String> quantization = Optional.empty();
      while (quant.find()) {
        quantization = Optional.of(quant.group(1).toUpperCase(java.util.Locale.ROOT));
      }
      return new ModelDescription(
          model,
          Optional.empty(),
          meta.has("n_params") ? OptionalLong.of(meta.get("n_params").asLong()) : OptionalLong.empty(),
          quantization,
          Optional.empty(),
          meta.has("size") ? OptionalLong.of(meta.get("size").asLong()) : OptionalLong.empty(),
          Optional.empty());
    }
    throw new ModelNotFoundException(model, "llama.cpp at " + url() + " serves " + models() + ", not " + model);
  }

  /** The server's context is fixed at start (-c); requests cannot change it. */
  @Override
  public OptionalInt fixedContextLength() {
    JsonNode props = http.get("/props").body();
    JsonNode settings = props.path("default_generation_settings");
    JsonNode nCtx = settings.has("n_ctx") ? settings.get("n_ctx") : props.path("n_ctx");
    return nCtx.canConvertToInt() && nCtx.asInt() > 0 ? OptionalInt.of(nCtx.asInt()) : OptionalInt.empty();
  }

  @Override
  public Generation generate(GenerationRequest request) {
    ObjectNode body = JsonHttp.JSON.createObjectNode()
        .put("prompt", request.prompt())
        .put("n_predict", request.maxTokens())
        .put("cache_prompt", false)
        .put("temperature", request.temperature())
        .put("seed", request.seed())
        .put("stream", true);
    long start = System.nanoTime();
    JsonHttp.Streamed response = http.stream("/completion", body);
    try (response; Stream<String> lines = response.lines()) {
      if (response.statusCode() != 200) {
        throw new RuntimeUnavailableException("llama.cpp answered HTTP " + response.statusCode() + " to /completion: " + String.join(" ", lines.toList()));
      }
      long firstToken = -1;
      Iterator<String> it = lines.iterator();
      while (it.hasNext()) {
        String line = it.next();
        if (!line.startsWith("data:")) {
          continue;
        }
        JsonNode chunk = JsonHttp.parse(line.substring(5).trim());
        if (chunk.has("error")) {
          throw new RuntimeUnavailableException("llama.cpp stopped: " + chunk.get("error").path("message").asText(chunk.get("error").asText()));
        }
        if (firstToken < 0 && !chunk.path("content").asText("").isEmpty()) {
          firstToken = System.nanoTime();
        }
        if (chunk.path("stop").asBoolean(false)) {
          return finalChunk(chunk, (firstToken < 0 ? System.nanoTime() : firstToken) - start);
        }
      }
      throw new RuntimeUnavailableException("llama.cpp's stream ended without a final chunk (stop: true)");
    }
  }

  private static Generation finalChunk(JsonNode chunk, long ttftNanos) {
    JsonNode timings = chunk.path("timings");
    if (!timings.has("predicted_n")) {
      throw new RuntimeUnavailableException("llama.cpp's final chunk has no timings: upgrade the server");
    }
    return fromTimings(timings, ttftNanos, chunk.path("stop_type").asText("").equals("limit") ? "length" : "stop");
  }

  /**
   * A generation timed by llama.cpp's own "timings" object (prompt_n/prompt_ms, predicted_n/
   * predicted_ms, cache_n), which llama-server sends on its native and OpenAI-compatible streams.
   */
  static Generation fromTimings(JsonNode timings, long ttftNanos, String stop) {
    return new Generation(
        timings.path("prompt_n").asInt(),
        OptionalLong.of(Math.round(timings.path("prompt_ms").asDouble() * 1e6)),
        timings.path("predicted_n").asInt(),
        Math.round(timings.path("predicted_ms").asDouble() * 1e6),
        ttftNanos,
        OptionalLong.empty(),
        timings.has("cache_n") ? OptionalInt.of(timings.get("cache_n").asInt()) : OptionalInt.empty(),
        stop,
        TimingSource.RUNTIME,
        TimingSource.RUNTIME);
  }

  @Override
  public String pullHint(String model) {
    return "start llama-server with -m <path to " + model + ">";
  }
}
