package io.tokbench.agent.probe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * llama.cpp's server (ggml-org/llama.cpp tools/server/README.md): {@code /health}, {@code /props},
 * {@code /v1/models} and streaming {@code /completion}. Every request names its model, which a
 * router ({@code --models-dir}) requires and a single-model server ignores; asks for no prompt
 * cache ({@code cache_prompt: false}) and for exactly {@code n_predict} tokens
 * ({@code ignore_eos: true}). The final event's {@code timings} are the server's own timers.
 */
public final class LlamaCppClient implements RuntimeClient {
  public static final String DEFAULT_URL = "http://localhost:8080";

  private final JsonHttp http;
  private final LlamaCppServer server;

  public LlamaCppClient(String url, Duration requestTimeout, Optional<String> apiKey) {
    this.http = new JsonHttp("llama.cpp", url, Duration.ofSeconds(3), requestTimeout, apiKey);
    this.server = new LlamaCppServer(http);
  }

  @Override
  public String name() {
    return "llama.cpp";
  }

  @Override
  public String url() {
    return http.baseUrl();
  }

  /** /health answers once the model is loaded; /props tells llama-server from anything else on the port. */
  @Override
  public RuntimeInfo info() {
    JsonHttp.Answer health = http.get("/health");
    if (health.status() == 503) {
      throw new RuntimeUnavailableException("llama.cpp at " + url() + " is still loading its model; try again in a moment");
    }
    JsonHttp.Answer props = http.get("/props");
    if (props.status() == 401 || props.status() == 403) {
      throw http.failure(props.status(), "GET /props", props.text(), null);
    }
    if (health.status() != 200 || !props.ok() || !LlamaCppServer.isLlamaServer(props.body())) {
      throw new RuntimeUnavailableException("what answers at " + url() + " is not llama.cpp's server (HTTP " + health.status()
          + " to /health, " + props.status() + " to /props without llama-server's build_info)");
    }
    String build = props.body().path("build_info").asText("");
    return new RuntimeInfo(name(), build.isEmpty() ? Optional.empty() : Optional.of(build));
  }

  @Override
  public List<String> models() {
    List<String> ids = new ArrayList<>();
    http.openAiModels().forEach(m -> ids.add(m.path("id").asText()));
    return ids;
  }

  @Override
  public ModelDescription describe(String model) {
    return server.describe(model);
  }

  @Override
  public ServerContext context(String model) {
    return server.context(model);
  }

  @Override
  public Generation generate(GenerationRequest request) {
    ObjectNode body = JsonHttp.JSON.createObjectNode()
        .put("model", request.model())
        .put("prompt", request.prompt())
        .put("n_predict", request.maxTokens())
        .put("ignore_eos", true)
        .put("cache_prompt", false)
        .put("temperature", request.temperature())
        .put("seed", request.seed())
        .put("stream", true);
    long start = System.nanoTime();
    try (JsonHttp.Streamed response = http.stream("/completion", body, request.model())) {
      long firstToken = -1;
      Iterator<SseEvents.Event> events = response.events();
      while (events.hasNext()) {
        SseEvents.Event event = events.next();
        JsonNode chunk = http.parseRequired(event.data(), "an event");
        if (event.isError() || chunk.has("error")) {
          throw http.streamError(request.model(), chunk.has("error") ? chunk.get("error") : chunk);
        }
        if (firstToken < 0 && (!chunk.path("content").asText("").isEmpty() || !chunk.path("tokens").isEmpty())) {
          firstToken = System.nanoTime();
        }
        if (chunk.path("stop").asBoolean(false)) {
          if (!chunk.path("timings").has("predicted_n")) {
            throw new RuntimeErrorException("llama.cpp at " + url() + " sent no timings in its last event: upgrade the server");
          }
          return server.generation(request.model(), chunk.get("timings"), request.maxTokens(), chunk.path("truncated").asBoolean(false),
              start, firstToken);
        }
      }
      throw http.cutShort(request.model(), "its last event (stop: true)");
    } catch (UncheckedIOException e) {
      throw http.readFailure(request.model(), e.getCause());
    }
  }

  @Override
  public String pullHint(String model) {
    return "start llama-server with -m <path to " + model + ">, or put the file in its --models-dir";
  }

  @Override
  public String contextHint() {
    return "restart llama-server with a larger -c (its -np slots share it unless --kv-unified), or probe with smaller --prompt-tokens/--gen-tokens";
  }
}
