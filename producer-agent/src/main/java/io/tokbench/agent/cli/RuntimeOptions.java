package io.tokbench.agent.cli;

import io.tokbench.agent.config.AgentConfig;
import io.tokbench.agent.config.Setting;
import io.tokbench.agent.probe.LlamaCppClient;
import io.tokbench.agent.probe.OllamaClient;
import io.tokbench.agent.probe.OpenAiCompatibleClient;
import io.tokbench.agent.probe.RuntimeClient;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/** Which runtime to probe, where it listens and how to get in. */
final class RuntimeOptions {
  enum Kind { ollama, llamacpp, openai }

  @Option(names = "--runtime", paramLabel = "KIND", description = "Runtime API: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  Kind runtime = Kind.ollama;

  @Option(names = "--url", paramLabel = "URL", description = "Runtime base URL. Default: Ollama at $OLLAMA_HOST or "
      + "http://localhost:11434; llama.cpp at http://localhost:8080; OpenAI-compatible at http://localhost:8000.")
  String url;

  @Option(names = "--runtime-name", paramLabel = "NAME", description = "Name reported for an OpenAI-compatible server: vllm, lmstudio, sglang, ... (default: openai-compatible).")
  String runtimeName = "openai-compatible";

  @Option(names = "--api-key", paramLabel = "KEY", description = "API key of the runtime (llama-server --api-key, vLLM --api-key), "
      + "sent as a bearer token and never printed. Prefer the environment variable TOKBENCH_RUNTIME_API_KEY (or runtime.api.key "
      + "in the config file): others on this machine can read command lines.")
  String apiKey;

  @Option(names = "--request-timeout", paramLabel = "SECONDS", description = "Longest wait for one request, model loading included (default: ${DEFAULT-VALUE}).")
  int requestTimeoutSeconds = 600;

  /** The settings these options give, for the configuration's precedence rules. */
  Map<Setting, String> settings() {
    return apiKey == null ? Map.of() : Map.of(Setting.RUNTIME_API_KEY, apiKey);
  }

  RuntimeClient client(AgentConfig config) {
    Duration timeout = Duration.ofSeconds(requestTimeoutSeconds);
    Optional<String> key = config.get(Setting.RUNTIME_API_KEY);
    return switch (runtime) {
      case ollama -> new OllamaClient(url != null ? url : OllamaClient.url(config.environment().get("OLLAMA_HOST")), timeout, key);
      case llamacpp -> new LlamaCppClient(url != null ? url : LlamaCppClient.DEFAULT_URL, timeout, key);
      case openai -> new OpenAiCompatibleClient(url != null ? url : OpenAiCompatibleClient.DEFAULT_URL, runtimeName, timeout, key);
    };
  }

  /** What to tell a user whose runtime does not answer. */
  String startHint() {
    return switch (runtime) {
      case ollama -> "is Ollama running? Start it with `ollama serve` (or point --url / OLLAMA_HOST at it)";
      case llamacpp -> "is llama-server running? Start it with `llama-server -m <model.gguf>` (or pass --url)";
      case openai -> "is the server running? Pass its base URL with --url";
    };
  }

  /** What to tell a user whose runtime lists no model. */
  String noModelsHint() {
    return switch (runtime) {
      case ollama -> "pull one first, e.g. `ollama pull llama3.1:8b`, or name one with --model";
      case llamacpp -> "start llama-server with -m <model.gguf>, or with --models-dir holding .gguf files";
      case openai -> "load a model in the server, or name one with --model";
    };
  }
}
