package io.tokbench.agent.probe;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tokbench.schema.Architecture;
import io.tokbench.schema.TimingSource;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Ollama's REST API (ollama/ollama docs/api.md): {@code /api/version}, {@code /api/tags},
 * {@code /api/show}, {@code /api/ps} and streaming {@code /api/generate}. Durations are in
 * nanoseconds and timed by Ollama itself; a metric may be absent when it is zero (a cached prompt);
 * an error can arrive as the last line of a 200 NDJSON stream.
 */
public final class OllamaClient implements RuntimeClient {
  public static final String DEFAULT_URL = "http://localhost:11434";

  private final JsonHttp http;

  /** @param apiKey for an Ollama behind a proxy that wants one; Ollama itself has none */
  public OllamaClient(String url, Duration requestTimeout, Optional<String> apiKey) {
    this.http = new JsonHttp("Ollama", url, Duration.ofSeconds(3), requestTimeout, apiKey);
  }

  /** Where Ollama listens: OLLAMA_HOST as Ollama reads it (host, host:port or a URL), else its default. */
  public static String url(Optional<String> ollamaHost) {
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
    if (answer.status() == 401 || answer.status() == 403) {
      throw http.failure(answer.status(), "GET /api/version", answer.text(), null);
    }
    if (answer.status() != 200 || !answer.body().has("version")) {
      throw new RuntimeUnavailableException(url() + " answered HTTP " + answer.status() + " to /api/version: is this Ollama?");
    }
    return new RuntimeInfo(name(), Optional.of(answer.body().get("version").asText()));
  }

  @Override
  public List<String> models() {
    List<String> names = new ArrayList<>();
    http.getOk("/api/tags", null).path("models").forEach(m -> names.add(m.path("name").asText()));
    return names;
  }

  @Override
  public ModelDescription describe(String model) {
    JsonHttp.Answer answer = http.post("/api/show", JsonHttp.JSON.createObjectNode().put("model", model));
    if (!answer.ok()) {
      throw http.failure(answer.status(), "POST /api/show", answer.text(), model);
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
    for (JsonNode m : http.getOk("/api/tags", null).path("models")) {
      if (m.path("name").asText().equals(model) || m.path("model").asText().equals(model)) {
        return m;
      }
    }
    return JsonHttp.JSON.createObjectNode();
  }

  @Override
  public Optional<LoadedModel> loaded(String model) {
    for (JsonNode m : http.getOk("/api/ps", null).path("models")) {
      if (m.path("name").asText().equals(model) || m.path("model").asText().equals(model)) {
        OptionalInt context = m.has("context_length") ? OptionalInt.of(m.get("context_length").asInt()) : OptionalInt.empty();
        return Optional.of(new LoadedModel(m.path("size").asLong(), m.path("size_vram").asLong(), context));
      }
    }
    return Optional.empty();
  }

  @Override
  public ServerContext context(String model) {
    return ServerContext.REQUEST_CHOOSES;
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
    try (JsonHttp.Streamed response = http.stream("/api/generate", body, request.model());
        JsonParser parser = JsonHttp.JSON.createParser(response.body())) {
      long firstToken = -1;
      // The body is a sequence of JSON objects (NDJSON); the parser reads them as they arrive,
      // whatever their layout, and blocks in the socket read in between.
      for (JsonToken next = parser.nextToken(); next != null; next = parser.nextToken()) {
        if (next != JsonToken.START_OBJECT) {
          throw new RuntimeErrorException("Ollama at " + url() + " streamed something other than JSON objects for " + request.model());
        }
        OllamaChunk chunk = OllamaChunk.read(parser);
        if (chunk.error() != null) {
          throw http.streamError(request.model(), chunk.error());
        }
        if (firstToken < 0 && chunk.token()) {
          firstToken = System.nanoTime();
        }
        if (chunk.done()) {
          return finalChunk(request, chunk, start, firstToken);
        }
      }
      throw http.cutShort(request.model(), "its last line (\"done\": true)");
    } catch (JsonProcessingException e) {
      throw new RuntimeErrorException("Ollama at " + url() + " streamed malformed JSON for " + request.model() + ": " + e.getOriginalMessage());
    } catch (IOException e) {
      throw http.readFailure(request.model(), e);
    }
  }

  /** The last object carries Ollama's own timers, in ns; fields that are zero may be left out. */
  private Generation finalChunk(GenerationRequest request, OllamaChunk done, long requestStart, long firstTokenSeenAt) {
    int evalCount = (int) done.evalCount().orElse(0);
    long evalNanos = done.evalDuration().orElse(0);
    if (evalCount < 1 || evalNanos <= 0) {
      throw new RuntimeErrorException("Ollama at " + url() + " generated " + evalCount + " token(s) with " + request.model() + " in "
          + evalNanos + " ns: nothing to time");
    }
    boolean promptMeasured = done.promptEvalCount().isPresent() && done.promptEvalDuration().isPresent();
    return new Generation(
        (int) done.promptEvalCount().orElse(0),
        OptionalInt.empty(),
        promptMeasured ? done.promptEvalDuration() : OptionalLong.empty(),
        evalCount,
        evalCount,
        evalNanos,
        Generation.firstTokenAt(firstTokenSeenAt, evalNanos),
        Generation.timeToFirstToken(requestStart, firstTokenSeenAt),
        done.loadDuration(),
        evalCount < request.maxTokens(),
        TimingSource.RUNTIME,
        TimingSource.RUNTIME);
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
    JsonNode request = JsonHttp.JSON.createObjectNode().put("model", model).put("stream", true);
    try (JsonHttp.Streamed response = http.stream("/api/pull", request, model);
        JsonParser parser = JsonHttp.JSON.createParser(response.body())) {
      for (JsonToken next = parser.nextToken(); next != null; next = parser.nextToken()) {
        JsonNode line = parser.readValueAsTree();
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
    } catch (JsonProcessingException e) {
      throw new RuntimeErrorException("Ollama at " + url() + " answered the pull of " + model + " with malformed JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw http.readFailure(model, e);
    }
    throw http.cutShort(model, "its pull said \"success\"");
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
