package io.tokbench.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokbench.agent.fakes.AgentRun;
import io.tokbench.agent.fakes.FakeHttpServer;
import io.tokbench.agent.fakes.FakeOllama;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a person sees: help that teaches, short errors with documented exit codes. */
class CommandLineTest {
  @TempDir Path home;

  @Test
  void topLevelHelpListsTheCommandsAndExitCodes() {
    AgentRun.Result result = new AgentRun(home).run("--help");
    assertThat(result.exitCode()).isZero();
    assertThat(result.out()).contains("probe", "detect", "flush", "spool", "config", "Exit codes:", "anonymous", "tokbench-agent detect");
  }

  @Test
  void probeHelpExplainsTheMethodologyAndEveryOption() {
    AgentRun.Result result = new AgentRun(home).run("probe", "--help");
    assertThat(result.exitCode()).isZero();
    assertThat(result.out()).contains("warm-up", "nonce", "--model", "--runtime", "--url", "--ctx", "--concurrency", "--repetitions",
        "--prompt-tokens", "--gen-tokens", "--dry-run", "--json", "--yes", "--pull", "measured, not delivered");
  }

  @Test
  void aBadFlagValueGetsOneLineAndExitCode2() {
    AgentRun.Result result = new AgentRun(home).run("probe", "--ctx", "big");
    assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(result.err().strip().lines()).hasSize(1);
    assertThat(result.err()).contains("--ctx").contains("big").contains("--help");
  }

  @Test
  void anOutOfRangeValueIsNamed() {
    AgentRun.Result result = new AgentRun(home).run("probe", "--concurrency", "0");
    assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(result.err()).contains("--concurrency 0");
  }

  @Test
  void anUnknownCommandIsAUsageError() {
    AgentRun.Result result = new AgentRun(home).run("benchmark");
    assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(result.err()).contains("benchmark");
  }

  @Test
  void aRuntimeThatIsNotRunningSaysHowToStartIt() {
    AgentRun.Result result = new AgentRun(home).run("probe", "--url", "http://127.0.0.1:9", "--dry-run");
    assertThat(result.exitCode()).isEqualTo(ExitCodes.RUNTIME_UNAVAILABLE);
    assertThat(result.err()).contains("ollama serve");
  }

  @Test
  void aMissingModelSaysHowToPullIt() {
    try (FakeOllama ollama = new FakeOllama()) {
      AgentRun.Result result = new AgentRun(home).run("probe", "--url", ollama.url(), "--model", "deepseek-r1:8b", "--dry-run");
      assertThat(result.exitCode()).isEqualTo(ExitCodes.MODEL_NOT_FOUND);
      assertThat(result.err()).contains("ollama pull deepseek-r1:8b").contains("--pull");
    }
  }

  @Test
  void pullFetchesAMissingModelThenProbesIt() {
    try (FakeOllama ollama = new FakeOllama()) {
      AgentRun.Result result = new AgentRun(home).run("probe", "--url", ollama.url(), "--model", FakeOllama.PULLABLE, "--pull", "--repetitions", "1", "--dry-run");
      assertThat(result.exitCode()).as(result.err()).isZero();
      assertThat(ollama.requests("/api/pull")).singleElement().satisfies(r -> assertThat(r.body().path("model").asText()).isEqualTo(FakeOllama.PULLABLE));
      assertThat(result.err()).contains("pull").contains("done");
      assertThat(result.out()).contains(FakeOllama.PULLABLE);
    }
  }

  @Test
  void llamaCppIsProbedAtTheContextItWasStartedWith() {
    // Routes answer with the responses recorded from llama.cpp's server README (runtime/FORMATS.md).
    try (FakeHttpServer server = new FakeHttpServer()) {
      server.route("GET", "/health", (b, ex) -> ex.json(200, FakeHttpServer.resource("/runtime/llamacpp/health-ok.json")));
      server.route("GET", "/props", (b, ex) -> ex.json(200, FakeHttpServer.resource("/runtime/llamacpp/props.json")));
      server.route("GET", "/v1/models", (b, ex) -> ex.json(200, FakeHttpServer.resource("/runtime/llamacpp/models.json")));
      server.route("POST", "/completion", (b, ex) -> {
        ex.startStream(200, "text/event-stream");
        for (String line : FakeHttpServer.resource("/runtime/llamacpp/completion-stream.sse").split("\n")) {
          ex.line(line);
        }
        ex.endStream();
      });
      AgentRun.Result result = new AgentRun(home).run("probe", "--runtime", "llamacpp", "--url", server.url(), "--ctx", "4096", "--repetitions", "2", "--json", "--dry-run");

      assertThat(result.exitCode()).as(result.err()).isZero();
      assertThat(result.err()).contains("fixed context of 8192");
      assertThat(result.out()).contains("\"contextLength\": 8192").contains("\"name\": \"llama.cpp\"").contains("\"version\": \"b6790-0e4a0cf2f\"");
      assertThat(result.out()).contains("\"quantization\": \"Q4_K_M\"");
    }
  }

  @Test
  void dryRunMeasuresPrintsTheTableAndSendsNothing() {
    try (FakeOllama ollama = new FakeOllama()) {
      AgentRun run = new AgentRun(home);
      AgentRun.Result result = run.run("probe", "--url", ollama.url(), "--model", FakeOllama.MODEL, "--repetitions", "2", "--dry-run");
      assertThat(result.exitCode()).isZero();
      assertThat(result.out()).contains("gen tok/s", FakeOllama.MODEL, "Q4_K_M", "88.0");
      assertThat(result.err()).contains("Dry run: nothing published.");
      assertThat(Files.exists(run.configDir().resolve("spool"))).isFalse();
    }
  }

  @Test
  void withoutYesAndWithoutAnAnswerNothingIsPublished() {
    try (FakeOllama ollama = new FakeOllama()) {
      AgentRun run = new AgentRun(home);
      AgentRun.Result result = run.run("probe", "--url", ollama.url(), "--model", FakeOllama.MODEL, "--repetitions", "1");
      assertThat(result.exitCode()).isZero();
      assertThat(result.err()).contains("These reports will be sent", "\"reportId\"", "pass --yes", "Nothing published.");
      assertThat(Files.exists(run.configDir().resolve("spool"))).isFalse();
    }
  }

  @Test
  void configShowsWhereEachValueComesFromAndMasksSecrets() throws Exception {
    AgentRun run = new AgentRun(home).env("TOKBENCH_SCHEMA_REGISTRY_URL", "http://registry:8081").env("TOKBENCH_SASL_PASSWORD", "hunter2");
    Files.createDirectories(run.configDir());
    Files.writeString(run.configDir().resolve("agent.properties"), "topic=my.reports\n");
    AgentRun.Result result = run.run("config", "--bootstrap-servers", "broker:9092");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out()).containsPattern("bootstrap.servers\\s+broker:9092\\s+flag");
    assertThat(result.out()).containsPattern("schema.registry.url\\s+http://registry:8081\\s+env\\s+TOKBENCH_SCHEMA_REGISTRY_URL");
    assertThat(result.out()).containsPattern("topic\\s+my.reports\\s+file");
    assertThat(result.out()).containsPattern("security.protocol\\s+PLAINTEXT\\s+default");
    assertThat(result.out()).contains("****").doesNotContain("hunter2");
  }

  @Test
  void aPasswordInTheRegistryUrlIsNeverShown() throws Exception {
    AgentRun.Result result = new AgentRun(home).env("TOKBENCH_SCHEMA_REGISTRY_URL", "https://bob:hunter2@registry.example.org:8081").run("config");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out()).contains("https://****@registry.example.org:8081").doesNotContain("hunter2");
  }
}
