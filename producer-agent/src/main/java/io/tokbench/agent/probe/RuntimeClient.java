package io.tokbench.agent.probe;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.DoubleConsumer;

/** One inference runtime as the probe sees it. Implementations speak its documented HTTP API. */
public interface RuntimeClient {

  /** Runtime name as reports carry it: ollama, llama.cpp, or the server's own name. */
  String name();

  /** Base URL, for messages. */
  String url();

  /** Version and backend; throws {@link RuntimeUnavailableException} when nothing answers. */
  RuntimeInfo info();

  /** Models the runtime can serve. */
  List<String> models();

  /** What the runtime says about a model; throws {@link ModelNotFoundException}. */
  ModelDescription describe(String model);

  /** One timed generation. */
  Generation generate(GenerationRequest request);

  /** How the model sits in memory after loading, where the runtime says (Ollama's /api/ps). */
  default Optional<LoadedModel> loaded(String model) {
    return Optional.empty();
  }

  /**
   * The context every request gets when the server fixes it at start (llama-server's -c), so the
   * probe measures that instead of sizes it cannot set; empty when requests choose.
   */
  default OptionalInt fixedContextLength() {
    return OptionalInt.empty();
  }

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
}
