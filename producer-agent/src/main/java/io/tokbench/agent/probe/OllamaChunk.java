package io.tokbench.agent.probe;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.OptionalLong;

/**
 * One object of Ollama's streamed {@code /api/generate} answer (docs/api.md, "Generate a
 * completion"), read field by field with a streaming parser: JSON in any layout is accepted
 * (compact, spaced, spread over lines), and fields that do not matter, such as the
 * {@code context} token array, are skipped without building anything.
 *
 * @param token whether it carries generated text ({@code response}, or {@code thinking} for a
 *     reasoning model)
 * @param done the last object, with the timers
 * @param error what Ollama reports when a stream fails after it started (docs/api/errors.mdx),
 *     or null
 */
record OllamaChunk(
    boolean token,
    boolean done,
    JsonNode error,
    OptionalLong promptEvalCount,
    OptionalLong promptEvalDuration,
    OptionalLong evalCount,
    OptionalLong evalDuration,
    OptionalLong loadDuration) {

  /** Reads the object whose START_OBJECT the parser has just returned. */
  static OllamaChunk read(JsonParser parser) throws IOException {
    boolean token = false;
    boolean done = false;
    JsonNode error = null;
    OptionalLong promptEvalCount = OptionalLong.empty();
    OptionalLong promptEvalDuration = OptionalLong.empty();
    OptionalLong evalCount = OptionalLong.empty();
    OptionalLong evalDuration = OptionalLong.empty();
    OptionalLong loadDuration = OptionalLong.empty();
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String field = parser.currentName();
      JsonToken value = parser.nextToken();
      switch (field) {
        case "response", "thinking" -> token |= value == JsonToken.VALUE_STRING && parser.getTextLength() > 0;
        case "done" -> done = value == JsonToken.VALUE_TRUE;
        case "error" -> error = parser.readValueAsTree();
        case "prompt_eval_count" -> promptEvalCount = number(parser, value);
        case "prompt_eval_duration" -> promptEvalDuration = number(parser, value);
        case "eval_count" -> evalCount = number(parser, value);
        case "eval_duration" -> evalDuration = number(parser, value);
        case "load_duration" -> loadDuration = number(parser, value);
        default -> parser.skipChildren();
      }
    }
    return new OllamaChunk(token, done, error, promptEvalCount, promptEvalDuration, evalCount, evalDuration, loadDuration);
  }

  private static OptionalLong number(JsonParser parser, JsonToken value) throws IOException {
    if (value == JsonToken.VALUE_NUMBER_INT || value == JsonToken.VALUE_NUMBER_FLOAT) {
      return OptionalLong.of(parser.getValueAsLong());
    }
    parser.skipChildren();
    return OptionalLong.empty();
  }
}
