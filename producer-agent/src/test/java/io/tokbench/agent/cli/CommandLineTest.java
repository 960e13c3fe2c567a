package io.tokbench.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokbench.agent.fakes.AgentRun;
import io.tokbench.agent.fakes.FakeHttpServer;
import io.tokbench.agent.fakes.FakeOllama;
import io.tokbench.schema.BenchmarkReport;
import io.tokbench.testkit.SampleReports;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.UUID;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a person sees: help that teaches, short errors with documented exit codes. */
class CommandLineTest {
  @TempDir Path home;

  @Test
  void topLevelHelpListsTheCommandsInWholeSentencesAndTheExitCodes() {
    AgentRun.Result result = new AgentRun(home).run("--help");
    assertThat(result.exitCode()).isZero();
    assertThat(result.out()).contains("probe", "detect", "flush", "spool", "config", "Exit codes:", "anonymous", "tokbench-agent detect");
    assertThat(result.out()).contains("10", "context is too small");
    // picocli lists each command with the first line of its description: a whole sentence each.
    for (String command : List.of("probe", "detect", "flush", "spool", "config")) {
      assertThat(result.out().lines().filter(l -> l.matches("\\s+" + command + "\\s+.*")).findFirst())
          .as(command).hasValueSatisfying(line -> assertThat(line.strip()).endsWith("."));
    }
  }

  @Test
  void probeHelpExplainsTheMethodologyAndEveryOptionWithoutAFormattingWarning() {
    PrintStream realErr = System.err;
    ByteArrayOutputStream picocliWarnings = new ByteArrayOutputStream();
    AgentRun.Result result;
    try {
      System.setErr(new PrintStream(picocliWarnings, true, StandardCharsets.UTF_8));
      result = new AgentRun(home).run("probe", "--help");
    } finally {
      System.setErr(realErr);
    }
    assertThat(result.exitCode()).isZero();
    assertThat(result.out()).contains("warm-up", "nonce", "512 tokens deep", "10% is", "--model", "--runtime", "--url", "--ctx",
        "--concurrency", "--repetitions", "--prompt-tokens", "--gen-tokens", "--api-key", "TOKBENCH_RUNTIME_API_KEY", "--dry-run", "--json",
        "--yes", "--pull", "measured, not delivered", "the runtime failed", "wants an API key", "context is too small");
    assertThat(picocliWarnings.toString(StandardCharsets.UTF_8)).isEmpty();
    assertThat(result.out()).doesNotContain("%%");
    assertThat(result.err()).isEmpty();
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
      server.streamLines("POST", "/completion", FakeHttpServer.resource("/runtime/llamacpp/completion-stream.sse").lines().toList());
      AgentRun.Result result = new AgentRun(home).run("probe", "--runtime", "llamacpp", "--url", server.url(), "--ctx", "4096", "--repetitions", "2", "--json", "--dry-run");

      assertThat(result.exitCode()).as(result.err()).isZero();
      assertThat(result.err()).contains("gives each request a context of 8192 tokens", "not at --ctx [4096]");
      assertThat(result.out()).contains("\"contextLength\": 8192").contains("\"name\": \"llama.cpp\"").contains("\"version\": \"b6790-0e4a0cf2f\"");
      assertThat(result.out()).contains("\"quantization\": \"Q4_K_M\"");
      assertThat(result.out()).as("the -m path stays on the machine").contains("\"name\": \"Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf\"").doesNotContain("../models");
      assertThat(result.out()).as("24 of the 128 tokens asked for").contains("\"generationEndedEarly\": true");
    }
  }

  @Test
  void aRuntimeThatFailsMidStreamIsAFailureNotUnreachable() {
    try (FakeOllama ollama = new FakeOllama()) {
      ollama.errorAfterTokens = 3;
      AgentRun.Result result = new AgentRun(home).run("probe", "--url", ollama.url(), "--model", FakeOllama.MODEL, "--repetitions", "1", "--dry-run");
      assertThat(result.exitCode()).isEqualTo(ExitCodes.RUNTIME_FAILED);
      assertThat(result.err()).contains("CUDA error: out of memory").contains("failed while generating").doesNotContain("not reachable");
    }
  }

  @Test
  void aLlamaServerWithoutModelsSaysHowToGiveItOne() {
    try (FakeHttpServer server = new FakeHttpServer()) {
      server.route("GET", "/health", (b, ex) -> ex.json(200, FakeHttpServer.resource("/runtime/llamacpp/health-ok.json")));
      server.route("GET", "/props", (b, ex) -> ex.json(200, FakeHttpServer.resource("/runtime/llamacpp-b10587/router-props.json")));
      server.route("GET", "/v1/models", (b, ex) -> ex.json(200, "{\"data\":[],\"object\":\"list\"}"));
      AgentRun.Result result = new AgentRun(home).run("probe", "--runtime", "llamacpp", "--url", server.url(), "--dry-run");
      assertThat(result.exitCode()).isEqualTo(ExitCodes.MODEL_NOT_FOUND);
      assertThat(result.err()).contains("--models-dir").doesNotContain("ollama");
    }
  }

  @Test
  void anOpenAiServerThatDoesNotSayItsContextIsRecordedAsUnknown() {
    try (FakeHttpServer server = new FakeHttpServer()) {
      server.route("GET", "/v1/models", (b, ex) -> ex.json(200, "{\"object\":\"list\",\"data\":[{\"id\":\"gpt-4o-mini\",\"object\":\"model\"}]}"));
      server.streamLines("POST", "/v1/chat/completions", FakeHttpServer.resource("/runtime/openai/chat-stream-usage.sse").lines().toList());
      AgentRun.Result result = new AgentRun(home).run("probe", "--runtime", "openai", "--url", server.url(), "--ctx", "4096,8192",
          "--gen-tokens", "12", "--repetitions", "1", "--json", "--dry-run");
      assertThat(result.exitCode()).as(result.err()).isZero();
      assertThat(result.err()).contains("does not say how much context", "unknown (0)");
      assertThat(result.out()).as("one report, not one per --ctx").contains("\"contextLength\": 0").doesNotContain("\"contextLength\": 4096");
      assertThat(server.requests("/v1/chat/completions")).as("warm-up and one repetition").hasSize(2);
    }
  }

  @Test
  void theTableShowsTheOffloadClassTheAggregatorWillUseAndFitsLongNames() {
    try (FakeOllama ollama = new FakeOllama()) {
      ollama.vramFraction = 0.0;
      AgentRun.Result result = new AgentRun(home).run("probe", "--url", ollama.url(), "--model", FakeOllama.MODEL, "--repetitions", "1", "--dry-run");
      assertThat(result.exitCode()).as(result.err()).isZero();
      String header = result.out().lines().findFirst().orElseThrow();
      String row = result.out().lines().skip(1).findFirst().orElseThrow();
      assertThat(row.substring(header.indexOf("offload")).strip()).startsWith("CPU");
    }
    BenchmarkReport longName = SampleReports.rtx4090(UUID.randomUUID(), Instant.now());
    longName.getModel().setName("hf.co/bartowski/DeepSeek-R1-Distill-Qwen-32B-abliterated-GGUF:Q4_K_M");
    BenchmarkReport shortName = SampleReports.rtx4090(UUID.randomUUID(), Instant.now());
    StringWriter table = new StringWriter();
    ResultsTable.print(List.of(longName, shortName), new PrintWriter(table));
    List<String> lines = table.toString().lines().toList();
    int quantColumn = lines.get(0).indexOf("quant");
    assertThat(lines).allSatisfy(line -> assertThat(line.substring(quantColumn)).as("columns stay aligned").matches("^(quant|Q4_K_M)\\b.*"));
    assertThat(lines.get(1)).contains("GGUF:Q4_K_M").startsWith("…");
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
  void theRuntimesApiKeyIsASecretSettingLikeTheOthers() {
    AgentRun.Result result = new AgentRun(home).env("TOKBENCH_RUNTIME_API_KEY", "llama-key-123").run("config");
    assertThat(result.exitCode()).isZero();
    assertThat(result.out()).containsPattern("runtime.api.key\\s+\\*\\*\\*\\*\\s+env\\s+TOKBENCH_RUNTIME_API_KEY").doesNotContain("llama-key-123");
  }

  @Test
  void aPasswordInTheRegistryUrlIsNeverShown() throws Exception {
    AgentRun.Result result = new AgentRun(home).env("TOKBENCH_SCHEMA_REGISTRY_URL", "https://bob:hunter2@registry.example.org:8081").run("config");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out()).contains("https://****@registry.example.org:8081").doesNotContain("hunter2");
  }
}
