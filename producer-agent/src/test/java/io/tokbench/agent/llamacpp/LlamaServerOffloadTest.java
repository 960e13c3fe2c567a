package io.tokbench.agent.llamacpp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokbench.agent.fakes.AgentRun;
import io.tokbench.agent.fakes.RecordedHost;
import io.tokbench.agent.residence.GpuProcessMemory;
import io.tokbench.agent.residence.ListeningProcess;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The offload of a real llama-server's model, judged from its process: the agent finds the process
 * listening on the server's port (real {@code /proc}), reads what its command line asks, and asks
 * the GPU tools what memory that process holds. The build here is CPU-only, so the GPU tool's
 * answer is recorded: an {@code nvidia-smi --query-compute-apps} line for the real server's pid, as
 * the tool prints it (MiB). The tiny model: 6 layers, 26.7 MB, KV cache 6,912 bytes per token at f16.
 */
class LlamaServerOffloadTest {
  private static final List<String> SMALL_SUITE = List.of("--prompt-tokens", "64", "--gen-tokens", "16", "--repetitions", "1");
  private static Path temp;

  @BeforeAll
  static void realLlamaCpp() throws IOException {
    assumeTrue(LlamaCppBuild.home().isPresent(), LlamaCppBuild.absence());
    assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "needs Linux /proc");
    temp = TargetFolder.create("llama-offload-test-");
  }

  @AfterAll
  static void cleanUp() throws IOException {
    TargetFolder.delete(temp);
  }

  /** One probe from an RTX 4090 rig whose nvidia-smi lists the server's process with this much memory (null: not listed). */
  private static JsonNode probe(LlamaServer server, Integer mebibytesOnGpu) {
    RecordedHost host = RecordedHost.linuxRtx4090();
    if (mebibytesOnGpu != null) {
      host.command(GpuProcessMemory.NVIDIA_QUERY, "4242, 120\n" + server.pid() + ", " + mebibytesOnGpu + "\n");
    }
    AgentRun.Result run = new AgentRun(temp.resolve("agent-" + System.nanoTime())).host(host)
        .run(Stream.concat(Stream.of("probe", "--runtime", "llamacpp", "--url", server.url(), "--json", "--dry-run"), SMALL_SUITE.stream())
            .toArray(String[]::new));
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).as("the pid stays on the machine").doesNotContain("\"" + server.pid() + "\"");
    List<JsonNode> reports = ReportChecks.reports(run.out());
    assertThat(reports).hasSize(1);
    return reports.get(0);
  }

  private static void assertOffload(JsonNode report, double fraction, String method, String backend, String backendSource) {
    assertThat(report.at("/settings/gpuOffloadFraction").asDouble()).isCloseTo(fraction, within(1e-3));
    assertThat(report.at("/settings/offloadMethod").asText()).isEqualTo(method);
    assertThat(report.at("/runtime/backend").asText()).isEqualTo(backend);
    assertThat(report.at("/runtime/backendSource").asText()).isEqualTo(backendSource);
  }

  @Test
  void theServersProcessIsFoundByItsPort() {
    try (LlamaServer server = LlamaServer.start("-m", LlamaCppBuild.model().toString(), "-c", "1024", "-np", "1")) {
      int port = URI.create(server.url()).getPort();
      assertThat(ListeningProcess.system().pid(port)).hasValue(server.pid());
    }
  }

  @Test
  void allLayersAskedForAndTheProcessOnTheGpuIsAFullOffloadOnCuda() {
    try (LlamaServer server = LlamaServer.start("-m", LlamaCppBuild.model().toString(), "-c", "1024", "-np", "1", "-ngl", "99")) {
      JsonNode report = probe(server, 64);
      assertOffload(report, 1.0, "LAYERS_REQUESTED", "CUDA", "RUNTIME_PROCESS");
    }
  }

  @Test
  void someLayersAskedForAreThatShareOfTheBlocksAndTheOutputLayer() {
    try (LlamaServer server = LlamaServer.start("-m", LlamaCppBuild.model().toString(), "-c", "1024", "-np", "1", "--n-gpu-layers", "3")) {
      assertOffload(probe(server, 20), 3 / 7.0, "LAYERS_REQUESTED", "CUDA", "RUNTIME_PROCESS");
    }
  }

  @Test
  void withTheDefaultAutoLayersTheProcessMemoryIsWeighedAgainstWeightsAndCache() {
    try (LlamaServer server = LlamaServer.start("-m", LlamaCppBuild.model().toString(), "-c", "1024", "-np", "1")) {
      // Weights (the file's tensors, /v1/models meta.size) plus 1,024 tokens × 6,912 bytes of cache.
      assertOffload(probe(server, 64), 1.0, "PROCESS_VRAM", "CUDA", "RUNTIME_PROCESS");
      JsonNode partial = probe(server, 16);
      assertThat(partial.at("/settings/offloadMethod").asText()).isEqualTo("PROCESS_VRAM");
      assertThat(partial.at("/settings/gpuOffloadFraction").asDouble()).isBetween(0.45, 0.55);
    }
  }

  @Test
  void noDeviceIsTheCpuWhateverTheRig() {
    try (LlamaServer server = LlamaServer.start("-m", LlamaCppBuild.model().toString(), "-c", "1024", "-np", "1", "-dev", "none")) {
      assertOffload(probe(server, null), 0.0, "LAYERS_REQUESTED", "CPU", "NOT_ON_GPU");
    }
  }

  @Test
  void aProcessNoGpuToolListsStaysUnknown() {
    // A Vulkan build, or a CUDA one the driver does not account: nothing says where the model is.
    try (LlamaServer server = LlamaServer.start("-m", LlamaCppBuild.model().toString(), "-c", "1024", "-np", "1", "-ngl", "99")) {
      JsonNode report = probe(server, null);
      assertThat(report.at("/settings/gpuOffloadFraction").isNull()).isTrue();
      assertThat(report.at("/settings/offloadMethod").asText()).isEqualTo("UNKNOWN");
      assertThat(report.at("/runtime/backendSource").asText()).isEqualTo("RIG_DEFAULT");
    }
  }
}
