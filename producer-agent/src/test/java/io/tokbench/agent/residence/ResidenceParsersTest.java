package io.tokbench.agent.residence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.tokbench.agent.fakes.FakeHttpServer;
import io.tokbench.schema.Backend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The three things the agent reads about a local server's process, from recorded or built inputs. */
class ResidenceParsersTest {
  private static final String NVIDIA = FakeHttpServer.resource("/detect/nvidia-smi-compute-apps.csv");
  private static final String ROCM = FakeHttpServer.resource("/detect/rocm-smi-showpids.txt");

  @Test
  void nvidiaSmiSumsAProcessOverItsGpus() {
    GpuProcessMemory split = GpuProcessMemory.fromNvidiaSmi(NVIDIA, 2817).orElseThrow();
    assertThat(split.backend()).isEqualTo(Backend.CUDA);
    assertThat(split.bytes()).hasValue((18_234L + 18_230L) * 1024 * 1024);
    assertThat(GpuProcessMemory.fromNvidiaSmi(NVIDIA, 3350).orElseThrow().bytes()).hasValue(412L * 1024 * 1024);
    assertThat(GpuProcessMemory.fromNvidiaSmi(NVIDIA, 28)).as("a pid that is a prefix of a listed one").isEmpty();
    assertThat(GpuProcessMemory.fromNvidiaSmi("2817, 4096 MiB\n", 2817).orElseThrow().bytes()).as("run without nounits").hasValue(4096L << 20);
  }

  @Test
  void aProcessListedWithoutAFigureIsOnTheGpuByAnUnknownAmount() {
    GpuProcessMemory wddm = GpuProcessMemory.fromNvidiaSmi(FakeHttpServer.resource("/detect/nvidia-smi-compute-apps-wddm.csv"), 2817).orElseThrow();
    assertThat(wddm.backend()).isEqualTo(Backend.CUDA);
    assertThat(wddm.bytes()).isEmpty();
    assertThat(GpuProcessMemory.fromRocmSmi(ROCM, 3310).orElseThrow().bytes()).isEmpty();
  }

  @Test
  void rocmSmiReadsTheKfdTableInBytes() {
    GpuProcessMemory server = GpuProcessMemory.fromRocmSmi(ROCM, 2728).orElseThrow();
    assertThat(server.backend()).isEqualTo(Backend.ROCM);
    assertThat(server.bytes()).hasValue(22_630_404_096L);
    assertThat(GpuProcessMemory.fromRocmSmi(FakeHttpServer.resource("/detect/rocm-smi-showpids-none.txt"), 2728)).isEmpty();
    assertThat(GpuProcessMemory.fromRocmSmi(NVIDIA, 2817)).as("no KFD table, no answer").isEmpty();
  }

  @Property(tries = 300)
  void anyToolOutputGivesAnAnswerOrNone(@ForAll String output, @ForAll long pid) {
    GpuProcessMemory.fromNvidiaSmi(output, pid).ifPresent(m -> assertThat(m.bytes().orElse(0)).isNotNegative());
    GpuProcessMemory.fromRocmSmi("KFD process information:\n" + output, pid).ifPresent(m -> assertThat(m.bytes().orElse(0)).isNotNegative());
  }

  @Test
  void layersAreReadAsLlamaServerReadsThem() {
    Map<String, String> none = Map.of();
    assertThat(GpuLayers.parse(List.of("/opt/llama/bin/llama-server", "-m", "x.gguf", "-ngl", "99"), none)).isEqualTo(new GpuLayers(GpuLayers.Kind.COUNT, 99, false));
    assertThat(GpuLayers.parse(List.of("llama-server", "--n-gpu-layers", "all"), none).kind()).isEqualTo(GpuLayers.Kind.ALL);
    assertThat(GpuLayers.parse(List.of("llama-server"), none).kind()).as("the default").isEqualTo(GpuLayers.Kind.AUTO);
    assertThat(GpuLayers.parse(List.of("llama-server", "--gpu-layers", "auto"), none).kind()).isEqualTo(GpuLayers.Kind.AUTO);
    assertThat(GpuLayers.parse(List.of("llama-server", "-dev", "none", "-ngl", "99"), none).kind()).isEqualTo(GpuLayers.Kind.NO_DEVICE);
    assertThat(GpuLayers.parse(List.of("llama-server", "-ngl", "99", "--n-cpu-moe", "10"), none).weightsOnCpu()).isTrue();
    assertThat(GpuLayers.parse(List.of("llama-server", "-ngl", "99", "--n-cpu-moe", "0"), none).weightsOnCpu()).isFalse();
    assertThat(GpuLayers.parse(List.of("vllm", "serve", "-ngl", "99"), none).kind()).as("another server's flags mean nothing").isEqualTo(GpuLayers.Kind.OTHER_SERVER);
  }

  @Test
  void anArgumentWinsOverItsEnvironmentVariable() {
    Map<String, String> env = Map.of("LLAMA_ARG_N_GPU_LAYERS", "20", "LLAMA_ARG_CPU_MOE", "false");
    assertThat(GpuLayers.parse(List.of("llama-server"), env)).isEqualTo(new GpuLayers(GpuLayers.Kind.COUNT, 20, false));
    assertThat(GpuLayers.parse(List.of("llama-server", "-ngl", "5"), env).layers()).isEqualTo(5);
    assertThat(GpuLayers.parse(List.of("llama-server"), Map.of("LLAMA_ARG_DEVICE", "none")).kind()).isEqualTo(GpuLayers.Kind.NO_DEVICE);
    assertThat(GpuLayers.parse(List.of("llama-server"), Map.of("LLAMA_ARG_CPU_MOE", "1")).weightsOnCpu()).isTrue();
  }

  @Test
  void aLayerCountIsAShareOfTheBlocksAndTheOutputLayer() {
    OptionalInt blocks = OptionalInt.of(32);
    assertThat(GpuLayers.share(33, blocks)).hasValue(1.0);
    assertThat(GpuLayers.share(32, blocks).getAsDouble()).as("every block, not the output layer").isCloseTo(32 / 33.0, within(1e-12));
    assertThat(GpuLayers.share(0, blocks)).hasValue(0.0);
    assertThat(GpuLayers.share(-1, OptionalInt.empty())).as("llama-bench's default: all").hasValue(1.0);
    assertThat(GpuLayers.share(20, OptionalInt.empty())).isEmpty();
    assertThat(GpuLayers.share(20, OptionalInt.of(0))).as("a header claiming no blocks is no help").isEmpty();
    assertThat(new GpuLayers(GpuLayers.Kind.ALL, 0, true).share(blocks)).as("experts kept on the CPU").isEqualTo(OptionalDouble.empty());
  }

  @Property(tries = 300)
  void anyCommandLineIsReadWithoutFailing(@ForAll List<String> args, @ForAll Map<String, String> env) {
    GpuLayers layers = GpuLayers.parse(args, env);
    layers.share(OptionalInt.of(32)).ifPresent(s -> assertThat(s).isBetween(0.0, 1.0));
  }

  @Test
  void theListeningProcessIsTheOneHoldingTheSocket(@TempDir Path proc) throws IOException {
    Files.createDirectories(proc.resolve("net"));
    Files.writeString(proc.resolve("net/tcp"), String.join("\n",
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
        "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 51234 1 0000000000000000 100 0 0 10 0",
        "   1: 0100007F:1F90 0100007F:D2A4 01 00000000:00000000 00:00000000 00000000  1000        0 51299 1 0000000000000000 20 4 30 10 -1",
        ""));
    Files.writeString(proc.resolve("net/tcp6"), String.join("\n",
        "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
        "   0: 00000000000000000000000000000000:2BCB 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 61000 1 0000000000000000 100 0 0 10 0",
        ""));
    fd(proc, 2817, 3, "socket:[51234]");
    fd(proc, 2817, 4, "/dev/nvidia0");
    fd(proc, 4100, 7, "socket:[51299]");
    fd(proc, 5200, 5, "socket:[61000]");
    fd(proc, 5201, 5, "socket:[61000]");
    ListeningProcess listening = new ListeningProcess(proc);
    assertThat(listening.pid(8080)).as("0x1F90, listening; the connected socket on the same port is not").hasValue(2817);
    assertThat(listening.pid(11211)).as("0x2BCB over IPv6, held by a parent and its fork: which one serves is unknown").isEmpty();
    assertThat(listening.pid(9999)).isEmpty();
  }

  private static void fd(Path proc, long pid, int fd, String target) throws IOException {
    Path dir = Files.createDirectories(proc.resolve(pid + "/fd"));
    Files.createSymbolicLink(dir.resolve(String.valueOf(fd)), Path.of(target));
  }
}
