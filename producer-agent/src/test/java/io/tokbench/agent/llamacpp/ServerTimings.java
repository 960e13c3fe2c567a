package io.tokbench.agent.llamacpp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * llama-server's own {@code timings} for one request, read from its recorded streamed answer: the
 * last event of {@code /completion}, the last chunk carrying them on {@code /v1/chat/completions}.
 */
public record ServerTimings(
    int promptN, int cacheN, double promptMs, double promptPerSecond, int predictedN, double predictedMs, double predictedPerSecond, boolean truncated) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** In nanoseconds, rounded as the agent rounds them. */
  public long promptNanos() {
    return Math.round(promptMs * 1e6);
  }

  public long predictedNanos() {
    return Math.round(predictedMs * 1e6);
  }

  /** Every timed answer among the recorded exchanges, in the order they finished. */
  public static List<ServerTimings> of(List<RecordingProxy.Exchange> exchanges) {
    List<ServerTimings> all = new ArrayList<>();
    for (RecordingProxy.Exchange exchange : exchanges) {
      JsonNode last = null;
      for (String line : exchange.responseBody().split("\n")) {
        if (line.startsWith("data: {")) {
          JsonNode event = parse(line.substring("data: ".length()));
          if (event.has("timings")) {
            last = event;
          }
        }
      }
      if (last != null) {
        JsonNode t = last.get("timings");
        all.add(new ServerTimings(t.path("prompt_n").asInt(), t.path("cache_n").asInt(), t.path("prompt_ms").asDouble(),
            t.path("prompt_per_second").asDouble(), t.path("predicted_n").asInt(), t.path("predicted_ms").asDouble(),
            t.path("predicted_per_second").asDouble(), last.path("truncated").asBoolean(false)));
      }
    }
    return all;
  }

  private static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
