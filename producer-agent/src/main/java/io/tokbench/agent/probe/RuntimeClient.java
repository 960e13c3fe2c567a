package io.tokbench.agent.probe;

import java.util.List;
import java.util.Optional;
import java.util.function.DoubleConsumer;

/**
 * One inference runtime as the probe sees it. Implementations speak its documented HTTP API. Their
 * methods throw {@link RuntimeUnavailableException} when nothing answers,
 * {@link RuntimeAuthenticationException} when it wants an API key, {@link ModelNotFoundException},
 * {@link ContextTooSmallException}, and {@link RuntimeErrorException} for any other failure of a
 * runtime that was reached.
 */
public interface RuntimeClient {

  /** Runtime name as reports carry it: ollama, llama.cpp, or the server's own name. */
  String name();

  /** Base URL, for messages. */
  String url();

  /** Version, after checking that the runtime at the URL is the one this client speaks to. */
  RuntimeInfo info();

  /** Models the runtime can serve, by the ids requests use. */
  List<String> models();

  /** What the runtime says about a model; its name is the one a report may carry. */
  ModelDescription describe(String model);

  /** One timed generation. */
  Generation generate(GenerationRequest request);

  /** How the model sits in memory after loading, where the runtime says (Ollama's /api/ps). */
  default Optional<LoadedModel> loaded(String model) {
    return Optional.empty();
  }

  /** The context a request for the model gets: chosen by the request, or fixed by the server. */
  ServerContext context(String model);

  /** Whether {@link #pull} can fetch a missing model (Ollama can). */
  default boolean canPull() {
    return false;
  }

  /** Downloads a model, reporting progress 0..1; only where {@link #canPull} says so. */
  default void pull(String model, DoubleConsumer progress) {
    throw new UnsupportedOperationException(name() + " cannot pull models");
  }

  /** Hint shown when the model is missing, e.g. {@code ollama pull deepseek-r1:8b}. */
  default String pullHint(String model) {
    return "load " + model + " in " + name();
  }

  /** Hint shown when a request's context cannot hold the suite. */
  default String contextHint() {
    return "start the server with a larger context, or probe with smaller --prompt-tokens/--gen-tokens";
  }
}
