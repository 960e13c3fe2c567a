package io.tokbench.agent.cli;

import io.tokbench.agent.config.Environment;
import io.tokbench.agent.probe.LlamaCppClient;
import io.tokbench.agent.probe.OllamaClient;
import io.tokbench.agent.probe.OpenAiCompatibleClient;
import io.tokbench.agent.probe.RuntimeClient;
import java.time.Duration;
import picocli.CommandLine.Option;

/** Which runtime to probe and where it listens. */
final class RuntimeOptions {
  enum Kind { ollama, llamacpp, openai }

  @Option(names = "--runtime", paramLabel = "KIND", description = "Runtime API: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  Kind runtime = Kind.ollama;

  @Option(names = "--url", paramLabel = "URL", description = {
      "Runtime base URL. Default: Ollama at $OLLAMA_HOST or http://localhost:11434;",
      "llama.cpp at http://localhost:8080; OpenAI-compatible at http://localhost:8000."})
  String url;

  @Option(names = "--runtime-name", paramLabel = "NAME", description = "Name reported for an OpenAI-compatible server: vllm, lmstudio, sglang, ... (default: openai-compatible).")
  String runtimeName = "openai-compatible";

  @Option(names = "--request-timeout", paramLabel = "SECONDS", description = "Longest wait for one request, model loading included (default: ${DEFAULT-VALUE}).")
  int requestTimeoutSeconds = 600;

  RuntimeClient client(Environment environment) {
    Duration timeout = Duration.ofSeconds(requestTimeoutSeconds);
    return switch (runtime) {
      case ollama -> new OllamaClient(url != null ? url : OllamaClient.url(environment.get("OLLAMA_HOST")), timeout);
      case llamacpp -> new LlamaCppClient(url != null ? url : LlamaCppClient.DEFAULT_URL, timeout);
      case openai -> new OpenAiCompatibleClient(url != null ? url : OpenAiCompatibleClient.DEFAULT_URL, runtimeName, timeout);
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
}
