package io.tokbench.agent.detect;

import static io.tokbench.agent.detect.DetectFixtures.MIB;
import static io.tokbench.agent.detect.DetectFixtures.canonicalId;
import static io.tokbench.agent.detect.DetectFixtures.fixture;
import static org.assertj.core.api.Assertions.assertThat;

import io.tokbench.agent.fakes.RecordedHost;
import io.tokbench.schema.Backend;
import io.tokbench.schema.GpuVendor;
import java.io.IOException;
import java.net.InetAddress;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** Whole machines replayed from recorded outputs; formats in producer-agent/src/test/resources/detect/SOURCES.md. */
class RigDetectorTest {
  private static final List<String> SW_VERS = List.of("sw_vers", "-productVersion");

  private RecordedHost linuxWithNvidia() throws IOException {
    return new RecordedHost()
        .property("os.name", "Linux")
        .property("os.arch", "amd64")
        .property("os.version", "6.8.0-45-generic")
        .command(NvidiaSmi.QUERY, fixture("nvidia-smi-mixed.csv"))
        .file("/proc/cpuinfo", fixture("cpuinfo-ryzen.txt"))
        .file("/proc/meminfo", fixture("meminfo.txt"))
        .file("/etc/os-release", fixture("os-release-ubuntu.txt"));
  }

  @Test
  void linuxBoxWithTwoNvidiaCardsIsDetectedCompletely() throws IOException {
    RecordedHost host = linuxWithNvidia();

    Rig rig = new RigDetector(host).detect();

    assertThat(rig.gpus()).hasSize(2);
    assertThat(rig.gpuCount()).isEqualTo(2);
    assertThat(rig.gpus().get(0).vendor()).isEqualTo(GpuVendor.NVIDIA);
    assertThat(canonicalId(rig.gpus().get(0))).isEqualTo("nvidia-rtx-4090");
    assertThat(rig.gpus().get(0).vramBytes()).hasValue(24564L * MIB);
    assertThat(canonicalId(rig.gpus().get(1))).isEqualTo("nvidia-rtx-3060-12gb");
    assertThat(rig.gpus().get(1).vramBytes()).hasValue(12288L * MIB);
    assertThat(rig.likelyBackend()).isEqualTo(Backend.CUDA);

    assertThat(rig.cpu().model()).contains("AMD Ryzen 9 7950X 16-Core Processor");
    assertThat(rig.cpu().cores()).hasValue(3);
    assertThat(rig.cpu().threads()).hasValue(4);
    assertThat(rig.ramBytes()).hasValue(65038472L * 1024L);

    assertThat(rig.os().name()).isEqualTo("linux");
    assertThat(rig.os().version()).contains("Ubuntu 24.04.1 LTS");
    assertThat(rig.os().kernel()).contains("6.8.0-45-generic");
    assertThat(rig.os().architecture()).isEqualTo("x86_64");

    assertThat(host.ran()).doesNotContain(AppleSilicon.SYSTEM_PROFILER, AppleSilicon.SYSCTL);
  }

  @Test
  void macWithAppleSiliconHasOneMetalGpuWhoseVramIsTheUnifiedMemory() throws IOException {
    RecordedHost host = new RecordedHost()
        .property("os.name", "Mac OS X")
        .property("os.arch", "aarch64")
        .property("os.version", "14.6.1")
        .command(AppleSilicon.SYSTEM_PROFILER, fixture("system-profiler-m2-max.json"))
        .command(AppleSilicon.SYSCTL, fixture("sysctl-m2-max.txt"))
        .command(SW_VERS, "14.6.1\n");

    Rig rig = new RigDetector(host).detect();

    assertThat(rig.gpus()).hasSize(1);
    DetectedGpu gpu = rig.gpus().get(0);
    assertThat(gpu.vendor()).isEqualTo(GpuVendor.APPLE);
    assertThat(canonicalId(gpu)).isEqualTo("apple-m2-max-38c");
    assertThat(gpu.gpuCores()).hasValue(38);
    assertThat(gpu.vramBytes()).hasValue(68719476736L);
    assertThat(rig.likelyBackend()).isEqualTo(Backend.METAL);

    assertThat(rig.cpu().model()).contains("Apple M2 Max");
    assertThat(rig.cpu().cores()).hasValue(12);
    assertThat(rig.cpu().threads()).hasValue(12);
    assertThat(rig.ramBytes()).hasValue(68719476736L);

    assertThat(rig.os().name()).isEqualTo("macos");
    assertThat(rig.os().version()).contains("14.6.1");
    assertThat(rig.os().architecture()).isEqualTo("aarch64");
  }

  @Test
  void machineWithoutAnyToolHasNoGpusAndRunsOnCpu() {
    RecordedHost host = new RecordedHost()
        .property("os.name", "Linux")
        .property("os.arch", "amd64")
        .property("os.version", "6.8.0-45-generic");

    Rig rig = new RigDetector(host).detect();

    assertThat(rig.gpus()).isEmpty();
    assertThat(rig.gpuCount()).isZero();
    assertThat(rig.likelyBackend()).isEqualTo(Backend.CPU);
    assertThat(rig.cpu().model()).isEmpty();
    assertThat(rig.cpu().threads()).hasValue(Runtime.getRuntime().availableProcessors());
    assertThat(rig.os().name()).isEqualTo("linux");
    assertThat(rig.os().version()).isEmpty();
    assertThat(rig.os().architecture()).isEqualTo("x86_64");
    assertThat(host.ran()).contains(NvidiaSmi.QUERY, AmdTools.AMD_SMI, AmdTools.ROCM_SMI);
  }

  @Test
  void machineThatReportsNothingAtAllStillDetects() {
    Rig rig = new RigDetector(new RecordedHost()).detect();

    assertThat(rig.gpus()).isEmpty();
    assertThat(rig.likelyBackend()).isEqualTo(Backend.CPU);
    assertThat(rig.os().name()).isEqualTo("other");
    assertThat(rig.os().architecture()).isEqualTo("unknown");
  }

  @Test
  void amdBoxWithoutAmdSmiFallsBackToRocmSmi() throws IOException {
    RecordedHost host = new RecordedHost()
        .property("os.name", "Linux")
        .property("os.arch", "amd64")
        .command(AmdTools.ROCM_SMI, fixture("rocm-smi-new.json"));

    Rig rig = new RigDetector(host).detect();

    assertThat(rig.gpus()).hasSize(1);
    DetectedGpu gpu = rig.gpus().get(0);
    assertThat(gpu.vendor()).isEqualTo(GpuVendor.AMD);
    assertThat(canonicalId(gpu)).isEqualTo("amd-rx-7900-xtx");
    assertThat(gpu.vramBytes()).hasValue(25753026560L);
    assertThat(gpu.driverVersion()).contains("6.10.5");
    assertThat(rig.likelyBackend()).isEqualTo(Backend.ROCM);
  }

  @Test
  void amdSmiIsPreferredOverRocmSmiWhenItAnswers() throws IOException {
    RecordedHost host = new RecordedHost()
        .property("os.name", "Linux")
        .property("os.arch", "amd64")
        .command(AmdTools.AMD_SMI, fixture("amd-smi-new.json"))
        .command(AmdTools.ROCM_SMI, fixture("rocm-smi-old.json"));

    Rig rig = new RigDetector(host).detect();

    assertThat(rig.gpus()).hasSize(1);
    assertThat(rig.gpus().get(0).rawName()).isEqualTo("AMD Radeon RX 7900 XTX");
    assertThat(rig.gpus().get(0).driverVersion()).contains("6.14.14");
    assertThat(host.ran()).doesNotContain(AmdTools.ROCM_SMI);
  }

  @Test
  void hardwareRecordCarriesNothingThatIdentifiesTheMachine() throws IOException {
    RecordedHost host = linuxWithNvidia();
    String hardware = new RigDetector(host).detect().toHardware().toString();

    assertThat(hardware).contains("NVIDIA GeForce RTX 4090", "nvidia-rtx-4090", "Ubuntu 24.04.1 LTS");
    assertThat(hardware).doesNotContainIgnoringCase("serial");
    assertThat(hardware).doesNotContain("00000000:", "01:00.0", "0C:00.0");
    String answered = host.everythingItAnswers();
    assertDoesNotLeak(hardware, System.getenv("HOSTNAME"), answered);
    assertDoesNotLeak(hardware, localHostName(), answered);
    assertDoesNotLeak(hardware, System.getProperty("user.name"), answered);
  }

  /**
   * Checks an identifier of the machine running the test is absent. Skipped when it is too short to
   * be meaningful or occurs in what the recorded host answered (then it could appear legitimately).
   */
  private static void assertDoesNotLeak(String text, String identifier, String answered) {
    if (identifier == null || identifier.isBlank() || identifier.length() < 3
        || answered.toLowerCase(Locale.ROOT).contains(identifier.toLowerCase(Locale.ROOT))) {
      return;
    }
    assertThat(text).doesNotContainIgnoringCase(identifier);
  }

  private static String localHostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException | SecurityException e) {
      return null;
    }
  }

  @Test
  void twoNvlinkedCardsAreOneEntryOfTwoWithTheirInterconnect() throws IOException {
    RecordedHost host = new RecordedHost()
        .command(NvidiaSmi.QUERY, fixture("nvidia-smi-multi-3090.csv"))
        .command(NvidiaSmi.TOPOLOGY, fixture("nvidia-smi-topo-nvlink.txt"))
        .property("os.name", "Linux")
        .property("os.arch", "amd64");
    Rig rig = new RigDetector(host).detect();

    assertThat(rig.gpus()).singleElement().satisfies(gpu -> assertThat(gpu.count()).isEqualTo(2));
    assertThat(rig.gpuInterconnect()).contains("nvlink");
    assertThat(rig.toHardware().getGpuInterconnect()).isEqualTo("nvlink");
  }

  @Test
  void aSingleGpuIsNotAskedForATopology() throws IOException {
    RecordedHost host = new RecordedHost().command(NvidiaSmi.QUERY, fixture("nvidia-smi-single-4090.csv")).property("os.name", "Linux");
    Rig rig = new RigDetector(host).detect();
    assertThat(rig.gpuInterconnect()).isEmpty();
    assertThat(host.ran()).doesNotContain(NvidiaSmi.TOPOLOGY);
  }
}
