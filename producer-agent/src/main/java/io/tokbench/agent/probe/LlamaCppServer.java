package io.tokbench.agent.probe;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokbench.schema.Architecture;
import io.tokbench.schema.TimingSource;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What llama-server (ggml-org/llama.cpp tools/server/README.md) says about itself and its models,
 * for the native client and for the OpenAI-compatible client when llama-server is behind it.
 *
 * <p>{@code /props}: {@code default_generation_settings.n_ctx} is the context of one slot (the
 * server's {@code -c} divided among its {@code -np} slots unless the KV cache is unified),
 * {@code total_slots}, {@code model_ftype}, {@code build_info}. In router mode
 * ({@code --models-dir}) {@code /props} answers {@code "role": "router"} and {@code /props?model=}
 * answers for one model, loading it. {@code /v1/models} lists each model with {@code meta}
 * ({@code n_params}, {@code size} in bytes, {@code ftype}, {@code n_ctx}, {@code n_ctx_train},
 * {@code n_embd}); a router lists a model without {@code meta} until it is loaded, and lists the
 * command line it starts it with, paths included, which nothing here copies.
 */
final class LlamaCppServer {
  private static final Pattern QUANT_IN_FILE_NAME = Pattern.compile("(?i)(IQ\\d_[A-Z0-9_]+|Q\\d_K(?:_[SML])?|Q\\d_\\d|Q\\d_K|F16|BF16|F32)(?=[.-]|$)");

  private final JsonHttp http;

  LlamaCppServer(JsonHttp http) {
    this.http = http;
  }

  /** The server's /props, or a router's /props for one model. */
  JsonNode props(String model) {
    JsonNode props = http.getOk("/props", null);
    if (isRouter(props) && model != null) {
      return http.getOk("/props" + JsonHttp.query("model", model), model);
    }
    return props;
  }

  static boolean isRouter(JsonNode props) {
    return props.path("role").asText("").equals("router");
  }

  /** Whether a /props answer is llama-server's: its build and either its settings or a router's role. */
  static boolean isLlamaServer(JsonNode props) {
    return props.has("build_info") && (props.has("default_generation_settings") || isRouter(props));
  }

  /** The context one request can use: the slot's. */
  ServerContext context(String model) {
    JsonNode props = props(model);
    int perSlot = props.path("default_generation_settings").path("n_ctx").asInt(0);
    if (perSlot <= 0) {
      return ServerContext.unknown("llama-server does not report its context (/props has no n_ctx)");
    }
    int slots = props.path("total_slots").asInt(1);
    return ServerContext.fixed(perSlot, "llama-server gives each request a context of " + perSlot + " tokens (one of its " + slots
        + " slot" + (slots == 1 ? "" : "s") + ": its -c, divided among the slots unless the KV cache is unified)");
  }

  /** The /v1/models entry naming the model (by id or alias); missing when there is none. */
  JsonNode entry(String model) {
    for (JsonNode m : http.openAiModels()) {
      if (m.path("id").asText().equals(model)) {
        return m;
      }
      for (JsonNode alias : m.path("aliases")) {
        if (alias.asText().equals(model)) {
          return m;
        }
      }
    }
    return JsonHttp.JSON.missingNode();
  }

  /** A model from its /v1/models meta and /props; loads it first in router mode, where meta comes with loading. */
  ModelDescription describe(String model) {
    JsonNode entry = entry(model);
    if (entry.isMissingNode()) {
      throw new ModelNotFoundException(model, "llama-server at " + http.baseUrl() + " does not serve " + model);
    }
    JsonNode props = props(model);
    JsonNode meta = entry.path("meta");
    if (!meta.isObject()) {
      meta = entry(model).path("meta");
    }
    Optional<String> quantization = text(meta, "ftype").or(() -> text(props, "model_ftype")).or(() -> quantizationInName(model));
    Integer embedding = meta.path("n_embd").canConvertToInt() ? meta.get("n_embd").asInt() : null;
    Integer trained = meta.path("n_ctx_train").canConvertToInt() ? meta.get("n_ctx_train").asInt() : null;
    Optional<Architecture> architecture = embedding == null && trained == null ? Optional.empty()
        : Optional.of(Architecture.newBuilder().setEmbeddingLength(embedding).setContextLengthTrained(trained).build());
    return new ModelDescription(
        ModelNames.withoutPath(model),
        Optional.empty(),
        meta.path("n_params").canConvertToLong() ? OptionalLong.of(meta.get("n_params").asLong()) : OptionalLong.empty(),
        quantization,
        Optional.empty(),
        meta.path("size").canConvertToLong() ? OptionalLong.of(meta.get("size").asLong()) : OptionalLong.empty(),
        architecture);
  }

  private static Optional<String> quantizationInName(String model) {
    Matcher quant = QUANT_IN_FILE_NAME.matcher(ModelNames.withoutPath(model));
    Optional<String> found = Optional.empty();
    while (quant.find()) {
      found = Optional.of(quant.group(1).toUpperCase(Locale.ROOT));
    }
    return found;
  }

  private static Optional<String> text(JsonNode node, String field) {
    String value = node.path(field).asText("");
    return value.isBlank() ? Optional.empty() : Optional.of(value);
  }

  /**
   * A generation timed by llama-server's {@code timings} (milliseconds), sent on its native and
   * OpenAI-compatible streams. {@code predicted_ms} runs from the end of the prompt batch to the
   * last token; in current builds that span holds {@code predicted_n - 1} decode steps, as the
   * first token is sampled from the prompt batch, and {@code predicted_per_token_ms} is
   * {@code predicted_ms / (predicted_n - 1)}; older builds divided by {@code predicted_n}. The
   * quotient of the two counts the steps either way.
   *
   * @param truncated llama-server's {@code truncated}: the context ran out during generation
   * @param firstTokenSeenAt when the first token arrived, -1 if none showed as text
   */
  Generation generation(String model, JsonNode timings, int maxTokens, boolean truncated, long requestStart, long firstTokenSeenAt) {
    int predicted = timings.path("predicted_n").asInt(0);
    double predictedMs = timings.path("predicted_ms").asDouble(0);
    int steps = decodeSteps(timings);
    if (steps < 1 || predictedMs <= 0) {
      throw new RuntimeErrorException("llama-server at " + http.baseUrl() + " generated " + predicted + " token(s) with " + model
          + ": too few to time generation (the probe needs at least " + ProbeSuite.MIN_GENERATED_TOKENS + ")");
    }
    int cached = timings.path("cache_n").asInt(0);
    long decodeNanos = Math.round(predictedMs * 1e6);
    return new Generation(
        timings.path("prompt_n").asInt(0),
        timings.has("cache_n") ? OptionalInt.of(cached) : OptionalInt.empty(),
        timings.has("prompt_ms") ? OptionalLong.of(Math.round(timings.get("prompt_ms").asDouble() * 1e6)) : OptionalLong.empty(),
        predicted,
        steps,
        decodeNanos,
        Generation.firstTokenAt(firstTokenSeenAt, decodeNanos),
        Generation.timeToFirstToken(requestStart, firstTokenSeenAt),
        OptionalLong.empty(),
        truncated || predicted < maxTokens,
        TimingSource.RUNTIME,
        TimingSource.RUNTIME);
  }

  static int decodeSteps(JsonNode timings) {
    int predicted = timings.path("predicted_n").asInt(0);
    double ms = timings.path("predicted_ms").asDouble(0);
    double perTokenMs = timings.path("predicted_per_token_ms").asDouble(0);
    double perSecond = timings.path("predicted_per_second").asDouble(0);
    if (ms > 0 && perTokenMs > 0) {
      return (int) Math.min(predicted, Math.round(ms / perTokenMs));
    }
    if (ms > 0 && perSecond > 0) {
      return (int) Math.min(predicted, Math.round(perSecond * ms / 1000));
    }
    return predicted;
  }
}
