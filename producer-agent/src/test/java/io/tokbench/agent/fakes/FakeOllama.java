package io.tokbench.agent.fakes;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An Ollama that follows its documented API (ollama/ollama docs/api.md at commit 01e52d24,
 * "Generate a completion"; docs/api/errors.mdx, docs/openapi.yaml; the response shapes are
 * recorded in src/test/resources/runtime/ollama and explained in runtime/FORMATS.md): a stream of
 * JSON objects from {@code /api/generate}, {@code {"model", "created_at", "response", "done":
 * false}} per token, the last one with {@code "done": true}, {@code done_reason}, the
 * {@code context} array (not in raw mode: "raw mode will not return a context") and the timers in
 * nanoseconds ("All durations are returned in nanoseconds"), metrics left out when zero
 * ({@code omitempty}); errors as the last object of a 200 stream, 404 with
 * {@code {"error": ...}} for an unknown model.
 *
 * <p>Its objects are written in a chosen {@link Style}: compact one per line, as Ollama's Go
 * encoder writes them; spaced one per line ({@code "done": true}); or spread over lines as the
 * documentation prints them. A client must read JSON as JSON in every one.
 *
 * <p>Its "GPU" runs at configured rates, so a test knows the exact tok/s the agent must compute.
 * Tokens are whitespace-separated words. Like Ollama, it re-uses the KV cache for the prefix a
 * prompt shares with the previous one, evaluating only the rest.
 */
public final class FakeOllama extends FakeHttpServer {
  public static final String MODEL = "llama3.1:8b";
  /** Not present until pulled through {@code /api/pull}. */
  public static final String PULLABLE = "deepseek-r1:8b";

  public volatile double generationTokensPerSecond = 88.0;
  public volatile double promptTokensPerSecond = 3200.0;
  public volatile long firstTokenDelayMillis = 20;
  public volatile long loadNanos = 2_500_000_000L;
  public volatile double vramFraction = 1.0;
  public volatile int errorAfterTokens = -1;
  /** The model emits its end-of-text token after this many tokens (done_reason "stop"); -1 never. */
  public volatile int endOfTextAfterTokens = -1;
  /** How the JSON objects are laid out. */
  public volatile Style style = Style.COMPACT;
  /** Stream tokens in real time at the generation rate (for footprint measurements), not in a burst. */
  public volatile boolean paceTokens;
  /** Per-call multipliers on the generation rate, to simulate a noisy rig; cycles. */
  public volatile double[] rateJitter = {1.0};

  /** Layouts of the streamed JSON objects. */
  public enum Style {
    /** One object per line, no spaces: what Ollama's encoder writes. */
    COMPACT(JSON.writer()),
    /** One object per line, a space after each colon and comma: {@code "done": true}. */
    SPACED(JSON.writer(new DefaultPrettyPrinter()
        .withSeparators(Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER)
            .withObjectEntrySpacing(Separators.Spacing.AFTER).withArrayValueSpacing(Separators.Spacing.AFTER))
        .withObjectIndenter(new DefaultIndenter("", "")).withArrayIndenter(new DefaultIndenter("", "")))),
    /** Objects spread over indented lines, as docs/api.md prints its examples. */
    PRETTY(JSON.writerWithDefaultPrettyPrinter());

    private final ObjectWriter writer;

    Style(ObjectWriter writer) {
      this.writer = writer;
    }

    String write(JsonNode node) throws IOException {
      return writer.writeValueAsString(node);
    }
  }

  private final Set<String> loaded = ConcurrentHashMap.newKeySet();
  private final Set<String> available = ConcurrentHashMap.newKeySet();
  private volatile String previousPrompt = "";
  private volatile int generateCalls;
  private volatile int lastNumCtx = 2048;

  public FakeOllama() {
    route("GET", "/api/version", (body, ex) -> ex.json(200, resource("/runtime/ollama/version.json")));
    route("GET", "/api/tags", (body, ex) -> ex.json(200, resource("/runtime/ollama/tags.json")));
    available.add(MODEL);
    route("POST", "/api/pull", (body, ex) -> {
      // Progress lines as recorded in runtime/ollama/pull-stream.ndjson: status, total, completed.
      ex.startStream(200, "application/x-ndjson");
      ex.line("{\"status\":\"pulling manifest\"}");
      for (long done = 0; done <= 4; done++) {
        ex.line("{\"status\":\"pulling 6340dc3229b0\",\"digest\":\"sha256:6340dc3229b0\",\"total\":4000,\"completed\":" + done * 1000 + "}");
      }
      ex.line("{\"status\":\"verifying sha256 digest\"}");
      ex.line("{\"status\":\"writing manifest\"}");
      ex.line("{\"status\":\"success\"}");
      ex.endStream();
      available.add(body.path("model").asText());
    });
    route("POST", "/api/show", (body, ex) -> {
      if (!available.contains(body.path("model").asText())) {
        ex.json(404, "{\"error\":\"model '" + body.path("model").asText() + "' not found\"}");
      } else {
        ex.json(200, resource("/runtime/ollama/show-llama3.1-8b.json"));
      }
    });
    route("GET", "/api/ps", (body, ex) -> ex.json(200, ps().toString()));
    route("POST", "/api/generate", this::generate);
  }

  private ObjectNode ps() {
    ObjectNode root = JSON.createObjectNode();
    ArrayNode models = root.putArray("models");
    if (loaded.contains(MODEL)) {
      long size = 6_654_289_920L;
      models.addObject()
          .put("name", MODEL).put("model", MODEL).put("size", size)
          .put("digest", "46e0c10c039e019119339687c3c1757cc81b9da49709a3b3924863ba87ca666e")
          .put("size_vram", Math.round(size * vramFraction))
          .put("context_length", lastNumCtx);
    }
    return root;
  }

  private void generate(JsonNode body, Exchange ex) throws IOException, InterruptedException {
    String model = body.path("model").asText();
    if (!available.contains(model)) {
      ex.json(404, "{\"error\":\"model '" + model + "' not found\"}");
      return;
    }
    String prompt = body.path("prompt").asText();
    JsonNode options = body.path("options");
    int numCtx = options.path("num_ctx").asInt(2048);
    int numPredict = options.path("num_predict").asInt(128);
    boolean firstLoad = loaded.add(model) || numCtx != lastNumCtx;
    lastNumCtx = numCtx;
    int call = generateCalls++;

    String[] words = prompt.trim().split("\\s+");
    // Ollama keeps the prompt's tail when it does not fit the context (numKeep aside).
    int promptTokens = Math.min(words.length, numCtx - numPredict);
    int cached = sharedPrefixWords(previousPrompt, prompt);
    previousPrompt = prompt;
    int evaluated = Math.max(0, promptTokens - cached);

    ex.startStream(200, "application/x-ndjson");
    Thread.sleep(firstTokenDelayMillis);
    int produced = numPredict;
    for (int i = 0; i < numPredict; i++) {
      if (i == errorAfterTokens) {
        ex.line(style.write(JSON.createObjectNode().put("error", "an error was encountered while running the model: CUDA error: out of memory")));
        ex.endStream();
        return;
      }
      if (i == endOfTextAfterTokens) {
        produced = i;
        break;
      }
      ex.line(style.write(JSON.createObjectNode()
          .put("model", model).put("created_at", "2025-10-17T22:59:13.1Z").put("response", " w" + i).put("done", false)));
      if (paceTokens) {
        Thread.sleep(Math.round(1000 / generationTokensPerSecond));
      }
    }
    double rate = generationTokensPerSecond * rateJitter[call % rateJitter.length];
    long evalNanos = Math.round(produced / rate * 1e9);
    long promptNanos = Math.round(evaluated / promptTokensPerSecond * 1e9);
    ObjectNode done = JSON.createObjectNode()
        .put("model", model).put("created_at", "2025-10-17T22:59:14.6Z").put("response", "")
        .put("done", true).put("done_reason", produced < numPredict ? "stop" : "length");
    if (!body.path("raw").asBoolean(false)) {
      done.putArray("context").add(1).add(2).add(3);
    }
    done.put("total_duration", evalNanos + promptNanos + (firstLoad ? loadNanos : 0));
    if (firstLoad) {
      done.put("load_duration", loadNanos);
    }
    if (evaluated > 0) { // omitempty: zero counts and durations are left out
      done.put("prompt_eval_count", evaluated).put("prompt_eval_duration", promptNanos);
    }
    done.put("eval_count", produced).put("eval_duration", evalNanos);
    ex.line(style.write(done));
    ex.endStream();
  }

  private static int sharedPrefixWords(String a, String b) {
    String[] x = a.trim().split("\\s+");
    String[] y = b.trim().split("\\s+");
    int n = 0;
    while (n < x.length && n < y.length && !x[n].isEmpty() && x[n].equals(y[n])) {
      n++;
    }
    return n;
  }

  public int generateCalls() {
    return generateCalls;
  }
}
