package io.tokbench.agent.probe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tokbench.schema.Architecture;
import io.tokbench.schema.TimingSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * Ollama's REST API (ollama/ollama docs/api.md): {@code /api/version}, {@code /api/tags},
 * {@code /api/show}, {@code /api/ps} and streaming {@code /api/generate}. Durations are in
 * nanoseconds and timed by Ollama itself; a metric may be absent when it is zero (a cached prompt);
 * an error can arrive as the last line of a 200 NDJSON stream.
 */
public final class OllamaClient implements RuntimeClient {
  public static final String DEFAULT_URL = "http://localhost:11434";

  private final JsonHttp http;

  public OllamaClient(String url, Duration requestTimeout) {
    this.http = new JsonHttp(url, Duration.ofSeconds(3), requestTimeout);
  }

  /** Ollama's own rule: {@code OLLAMA_HOST} may be host, host:port or a URL. */
  /** Where Ollama listens: OLLAMA_HOST as Ollama reads it, else its default. */
  public static String url(java.util.Optional<String> ollamaHost) {
    return ollamaHost.map(OllamaClient::urlFromOllamaHost).orElse(DEFAULT_URL);
  }

  public static String urlFromOllamaHost(String ollamaHost) {
    String host = ollamaHost.trim();
    if (!host.startsWith("http://") && !host.startsWith("https://")) {
      host = "http://" + host;
    }
    String rest = host.substring(host.indexOf("://") + 3);
    if (!rest.contains(":")) {
      host = host + ":11434";
    }
    return host.replace("://0.0.0.0", "://localhost");
  }

  @Override
  public String name() {
    return "ollama";
  }

  @Override
  public String url() {
    return http.baseUrl();
  }

  @Override
  public RuntimeInfo info() {
    JsonHttp.Answer answer = http.get("/api/version");
    if (answer.status() != 200 || !answer.body().has("version")) {
      throw new RuntimeUnavailableException(url() + " answered HTTP " + answer.status() + " to /api/version: is this Ollama?");
    }
    return new RuntimeInfo(name(), Optional.of(answer.body().get("version").asText()));
  }

  @Override
  public List<String> models() {
    List<String> names = new ArrayList<>();
    http.get("/api/tags").body().path("models").forEach(m -> names.add(m.path("name").asText()));
    return names;
  }

  @Override
  public ModelDescription describe(String model) {
    JsonHttp.Answer answer = http.post("/api/show", JsonHttp.JSON.createObjectNode().put("model", model));
    if (answer.status() == 404) {
      throw new ModelNotFoundException(model, "Ollama does not have " + model + ": " + answer.body().path("error").asText("not found"));
    }
    if (answer.status() != 200) {
      throw new RuntimeUnavailableException("Ollama answered HTTP " + answer.status() + " to /api/show for " + model + ": " + answer.text());
    }
    JsonNode details = answer.body().path("details");
    JsonNode info = answer.body().path("model_info");
    String arch = info.path("general.architecture").asText(details.path("family").asText(""));
    JsonNode tag = tag(model);
    Architecture architecture =
        Architecture.newBuilder()
            .setBlockCount(intOrNull(info, arch + ".block_count"))
            .setAttentionHeadCount(intOrNull(info, arch + ".attention.head_count"))
            .setAttentionHeadCountKv(intOrNull(info, arch + ".attention.head_count_kv"))
            .setEmbeddingLength(intOrNull(info, arch + ".embedding_length"))
            .setKeyLength(intOrNull(info, arch + ".attention.key_length"))
            .setContextLengthTrained(intOrNull(info, arch + ".context_length"))
            .build();
    return new ModelDescription(
        model,
        text(details, "family"),
        info.has("general.parameter_count") ? OptionalLong.of(info.get("general.parameter_count").asLong()) : OptionalLong.empty(),
        text(details, "quantization_level"),
        text(tag, "digest").map(d -> d.startsWith("sha256:") ? d : "sha256:" + d),
        tag.has("size") ? OptionalLong.of(tag.get("size").asLong()) : OptionalLong.empty(),
        architecture.getBlockCount() == null ? Optional.empty() : Optional.of(architecture));
  }

  /** The /api/tags entry of a model: its digest and file size. */
  private JsonNode tag(String model) {
    for (JsonNode m : http.get("/api/tags").body().path("models")) {
      if (m.path("name").asText().equals(model) || m.path("model").asText().equals(model)) {
        return m;
      }
    }
    return JsonHttp.JSON.createObjectNode();
  }

  @Override
  public Optional<LoadedModel> loaded(String model) {
    for (JsonNode m : http.get("/api/ps").body().path("models")) {
      if (m.path("name").asText().equals(model) || m.path("model").asText().equals(model)) {
        OptionalInt context = m.has("context_length") ? OptionalInt.of(m.get("context_length").asInt()) : OptionalInt.empty();
        return Optional.of(new LoadedModel(m.path("size").asLong(), m.path("size_vram").asLong(), context));
      }
    }
    return Optional.empty();
  }

  @Override
  public Generation generate(GenerationRequest request) {
    ObjectNode body = JsonHttp.JSON.createObjectNode()
        .put("model", request.model())
        .put("prompt", request.prompt())
        // raw: no chat template, so the prompt's token count is the suite's, not the template's.
        .put("raw", true)
        .put("stream", true)
        .put("keep_alive", "10m");
    body.putObject("options")
        .put("num_ctx", request.contextLength())
        .put("num_predict", request.maxTokens())
        .put("temperature", request.temperature())
        .put("seed", request.seed());
    long start = System.nanoTime();
    JsonHttp.Streamed response = http.stream("/api/generate", body);
    try (response; Stream<String> lines = response.lines()) {
      if (response.statusCode() == 404) {
        throw new ModelNotFoundException(request.model(), "Ollama does not have " + request.model() + ": " + errorOf(lines));
      }
      if (response.statusCode() != 200) {
        throw new RuntimeUnavailableException("Ollama answered HTTP " + response.statusCode() + " to /api/generate: " + errorOf(lines));
      }
      long firstToken = -1;
      Iterator<String> it = lines.iterator();
      while (it.hasNext()) {
        String line = it.next();
        // Only lines that can matter are parsed: before the first token, the last line, an error.
        // Ollama writes compact JSON, so the markers are exact.
        if (line.isBlank() || (firstToken >= 0 && !line.contains("\"done\":true") && !line.contains("\"error\""))) {
          continue;
        }
        JsonNode chunk = JsonHttp.parse(line);
        if (chunk.has("error")) {
          throw new RuntimeUnavailableException("Ollama stopped generating " + request.model() + ": " + chunk.get("error").asText());
        }
        if (firstToken < 0 && !chunk.path("response").asText("").isEmpty()) {
          firstToken = System.nanoTime();
        }
        if (chunk.path("done").asBoolean(false)) {
          return finalChunk(chunk, firstToken < 0 ? System.nanoTime() - start : firstToken - start);
        }
      }
      throw new RuntimeUnavailableException("Ollama's stream for " + request.model() + " ended without a final \"done\" line");
    }
  }

  /** The last NDJSON line carries Ollama's own timers; fields that are zero may be left out. */
  private static Generation finalChunk(JsonNode done, long ttftNanos) {
    int evalCount = done.path("eval_count").asInt(0);
    long evalNanos = done.path("eval_duration").asLong(0);
    boolean promptMeasured = done.has("prompt_eval_count") && done.has("prompt_eval_duration");
    return new Generation(
        done.path("prompt_eval_count").asInt(0),
        promptMeasured ? OptionalLong.of(done.get("prompt_eval_duration").asLong()) : OptionalLong.empty(),
        evalCount,
        evalNanos,
        ttftNanos,
        done.has("load_duration") ? OptionalLong.of(done.get("load_duration").asLong()) : OptionalLong.empty(),
        OptionalInt.empty(),
        done.path("done_reason").asText("stop"),
        TimingSource.RUNTIME,
        TimingSource.RUNTIME);
  }

  private static String errorOf(Stream<String> lines) {
    String text = String.join("\n", lines.toList());
    JsonNode body = JsonHttp.parse(text);
    return body.has("error") ? body.get("error").asText() : text;
  }

  /**
   * Pulls a model ({@code POST /api/pull}, streamed progress lines with {@code status},
   * {@code total} and {@code completed}), reporting the fraction done.
   */
  @Override
  public boolean canPull() {
    return true;
  }

  @Override
  public void pull(String model, java.util.function.DoubleConsumer progress) {
    JsonHttp.Streamed response = http.stream("/api/pull", JsonHttp.JSON.createObjectNode().put("model", model).put("stream", true));
    try (response; Stream<String> lines = response.lines()) {
      if (response.statusCode() != 200) {
        throw new ModelNotFoundException(model, "Ollama cannot pull " + model + ": " + errorOf(lines));
      }
      Iterator<String> it = lines.iterator();
      while (it.hasNext()) {
        JsonNode line = JsonHttp.parse(it.next());
        if (line.has("error")) {
          throw new ModelNotFoundException(model, "Ollama cannot pull " + model + ": " + line.get("error").asText());
        }
        long total = line.path("total").asLong(0);
        if (total > 0) {
          progress.accept(line.path("completed").asLong(0) / (double) total);
        }
        if ("success".equals(line.path("status").asText())) {
          progress.accept(1.0);
          return;
        }
      }
    }
    throw new RuntimeUnavailableException("Ollama's pull of " + model + " ended without \"success\"");
  }

  @Override
  public String pullHint(String model) {
    return "ollama pull " + model;
  }

  private static Integer intOrNull(JsonNode node, String key) {
    return node.has(key) && node.get(key).canConvertToInt() ? node.get(key).asInt() : null;
  }

  private static Optional<String> text(JsonNode node, String key) {
    String value = node.path(key).asText("");
    return value.isEmpty() ? Optional.empty() : Optional.of(value);
  }
}
