package io.tokbench.agent.llamacpp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokbench.agent.fakes.AgentRun;
import io.tokbench.agent.fakes.RecordedHost;
import io.tokbench.agent.gguf.LocalModelFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Model facts from the GGUF header of the file a real llama-server loaded (its /props names the
 * file; the agent on the same machine reads the header), and the offload class with its method.
 * The tiny model: llama, 6 layers, 6 heads, dim 288, context_length 8192 (shared/runtimes README).
 */
class LlamaServerModelFactsTest {
  private static final String[] SMALL_SUITE = {"--prompt-tokens", "64", "--gen-tokens", "16", "--repetitions", "1"};
  private static Path temp;
  private static Path aliceHome;

  @BeforeAll
  static void realLlamaCpp() throws IOException {
    assumeTrue(LlamaCppBuild.home().isPresent(), LlamaCppBuild.absence());
    temp = TargetFolder.create("llama-facts-test-");
    aliceHome = Files.createDirectories(temp.resolve("home/alice"));
    Files.createDirectories(aliceHome.resolve("models"));
    Files.createSymbolicLink(aliceHome.resolve("models/tiny-Q8_0.gguf"), LlamaCppBuild.model());
  }

  @AfterAll
  static void cleanUp() throws IOException {
    TargetFolder.delete(temp);
  }

  private static JsonNode probeOnCpuOnlyRig(LlamaServer server) {
    AgentRun.Result run = new AgentRun(temp.resolve("agent-" + System.nanoTime())).host(RecordedHost.linuxCpuOnly())
        .run(concat(List.of("probe", "--runtime", "llamacpp", "--url", server.url(), "--json", "--dry-run"), SMALL_SUITE));
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out() + run.err()).as("no path leaves the machine").doesNotContain("alice").doesNotContain(temp.toString()).doesNotContain("models/");
    List<JsonNode> reports = ReportChecks.reports(run.out());
    assertThat(reports).hasSize(1);
    return reports.get(0);
  }

  private static void assertTinyModelFacts(JsonNode report) {
    JsonNode arch = report.at("/model/architecture");
    assertThat(arch.get("blockCount").asInt()).isEqualTo(6);
    assertThat(arch.get("attentionHeadCount").asInt()).isEqualTo(6);
    assertThat(arch.get("attentionHeadCountKv").asInt()).isEqualTo(6);
    assertThat(arch.get("embeddingLength").asInt()).isEqualTo(288);
    assertThat(arch.get("contextLengthTrained").asInt()).isEqualTo(8192);
    assertThat(arch.get("expertCount").isNull()).as("a dense model").isTrue();
    assertThat(report.at("/model/family").asText()).isEqualTo("llama");
    assertThat(report.at("/model/name").asText()).isEqualTo("tiny-Q8_0.gguf");
    // A rig without GPUs can only have used the CPU: the offload class is known, and how.
    assertThat(report.at("/settings/gpuOffloadFraction").asDouble()).isZero();
    assertThat(report.at("/settings/offloadMethod").asText()).isEqualTo("NO_GPU");
    assertThat(report.at("/runtime/backend").asText()).isEqualTo("CPU");
    assertThat(report.at("/runtime/backendSource").asText()).isEqualTo("NOT_ON_GPU");
  }

  @Test
  void anAbsoluteModelPathIsReadHereAndNeverSent() {
    try (LlamaServer server = LlamaServer.start("-m", aliceHome.resolve("models/tiny-Q8_0.gguf").toString(), "-c", "1024", "-np", "1")) {
      assertTinyModelFacts(probeOnCpuOnlyRig(server));
    }
  }

  @Test
  void aRelativeModelPathIsResolvedInTheServersWorkingDirectory() {
    assumeTrue(Files.isDirectory(Path.of("/proc/self")), "needs Linux /proc");
    try (LlamaServer server = LlamaServer.startIn(aliceHome, "-m", "models/tiny-Q8_0.gguf", "-c", "1024", "-np", "1")) {
      assertThat(LocalModelFile.system().locate("models/tiny-Q8_0.gguf")).as("found through the server process").isPresent();
      assertTinyModelFacts(probeOnCpuOnlyRig(server));
    }
  }

  @Test
  void aServerElsewhereIsNotAskedForAPathHere() {
    assertThat(LocalModelFile.isLocal("http://127.0.0.1:8080")).isTrue();
    assertThat(LocalModelFile.isLocal("http://localhost:8080")).isTrue();
    assertThat(LocalModelFile.isLocal("http://[::1]:8080")).isTrue();
    assertThat(LocalModelFile.isLocal("http://192.0.2.7:8080")).as("TEST-NET-1: another machine").isFalse();
  }

  private static String[] concat(List<String> first, String[] more) {
    List<String> all = new java.util.ArrayList<>(first);
    all.addAll(List.of(more));
    return all.toArray(String[]::new);
  }
}
