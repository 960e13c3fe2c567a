package io.tokbench.agent.probe;

import java.util.OptionalInt;

/**
 * The context a request gets. Ollama lets each request choose ({@code num_ctx}); llama-server fixes
 * it when it starts, per slot; an OpenAI-compatible server fixes it too and may not say how large.
 *
 * @param tokens the context one request can use, when the server fixes and reports it
 * @param requestChooses whether the request sets the context (the agent's {@code --ctx})
 * @param description where the figure comes from, for the user
 */
public record ServerContext(OptionalInt tokens, boolean requestChooses, String description) {
  public static final ServerContext REQUEST_CHOOSES = new ServerContext(OptionalInt.empty(), true, "each request sets its context");

  public static ServerContext fixed(int tokens, String description) {
    return new ServerContext(OptionalInt.of(tokens), false, description);
  }

  public static ServerContext unknown(String description) {
    return new ServerContext(OptionalInt.empty(), false, description);
  }
}
