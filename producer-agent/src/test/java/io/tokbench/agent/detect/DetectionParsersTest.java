package io.tokbench.agent.detect;

import static io.tokbench.agent.detect.DetectFixtures.MIB;
import static io.tokbench.agent.detect.DetectFixtures.canonicalId;
import static io.tokbench.agent.detect.DetectFixtures.fixture;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.tokbench.schema.GpuVendor;
import java.io.IOException;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Recorded tool outputs; formats and provenance in producer-agent/src/test/resources/detect/SOURCES.md. */
class DetectionParsersTest {
  private static final long GIB = 1024L * MIB;

  // ---- nvidia-smi

  @Test
  void nvidiaSmiSingle4090IsOneKnownCard() throws IOException {
    List<DetectedGpu> gpus = NvidiaSmi.gpus(fixture("nvidia-smi-single-4090.csv"));

    assertThat(gpus).hasSize(1);
    DetectedGpu gpu = gpus.get(0);
    assertThat(gpu.vendor()).isEqualTo(GpuVendor.NVIDIA);
    assertThat(gpu.rawName()).isEqualTo("NVIDIA GeForce RTX 4090");
    assertThat(gpu.count()).isEqualTo(1);
    assertThat(canonicalId(gpu)).isEqualTo("nvidia-rtx-4090");
    assertThat(gpu.known()).isTrue();
    assertThat(gpu.vramBytes()).hasValue(24564L * MIB);
    assertThat(gpu.driverVersion()).contains("550.120");
    assertThat(gpu.gpuCores()).isEmpty();
  }

  @Test
  void nvidiaSmiRowCarriesPowerLimitAndDrawInWatts() throws IOException {
    List<NvidiaSmi.Row> rows = NvidiaSmi.parse(fixture("nvidia-smi-single-4090.csv"));

    assertThat(rows).hasSize(1);
    NvidiaSmi.Row row = rows.get(0);
    assertThat(row.index()).isEqualTo(0);
    assertThat(row.name()).isEqualTo("NVIDIA GeForce RTX 4090");
    assertThat(row.memoryTotalBytes()).hasValue(24564L * MIB);
    assertThat(row.driver()).contains("550.120");
    assertThat(row.powerLimitWatts()).hasValueCloseTo(450.0, within(1e-9));
    assertThat(row.powerDrawWatts()).hasValueCloseTo(21.37, within(1e-9));
  }

  @Test
  void nvidiaSmiTwoIdentical3090sBecomeOneEntryWithCountTwo() throws IOException {
    List<DetectedGpu> gpus = NvidiaSmi.gpus(fixture("nvidia-smi-multi-3090.csv"));

    assertThat(gpus).hasSize(1);
    DetectedGpu gpu = gpus.get(0);
    assertThat(gpu.rawName()).isEqualTo("NVIDIA GeForce RTX 3090");
    assertThat(gpu.count()).isEqualTo(2);
    assertThat(canonicalId(gpu)).isEqualTo("nvidia-rtx-3090");
    assertThat(gpu.vramBytes()).hasValue(24576L * MIB);
    assertThat(gpu.driverVersion()).contains("535.183.01");
  }

  @Test
  void nvidiaSmiMixedRigGivesTwoEntriesAndThe3060IsToldApartByItsMemory() throws IOException {
    List<DetectedGpu> gpus = NvidiaSmi.gpus(fixture("nvidia-smi-mixed.csv"));

    assertThat(gpus).hasSize(2);
    assertThat(gpus.get(0).rawName()).isEqualTo("NVIDIA GeForce RTX 4090");
    assertThat(canonicalId(gpus.get(0))).isEqualTo("nvidia-rtx-4090");
    assertThat(gpus.get(0).vramBytes()).hasValue(24564L * MIB);
    assertThat(gpus.get(0).count()).isEqualTo(1);
    // "NVIDIA GeForce RTX 3060" names both the 8 GB and the 12 GB card: 12288 MiB decides
    assertThat(gpus.get(1).rawName()).isEqualTo("NVIDIA GeForce RTX 3060");
    assertThat(canonicalId(gpus.get(1))).isEqualTo("nvidia-rtx-3060-12gb");
    assertThat(gpus.get(1).vramBytes()).hasValue(12288L * MIB);
    assertThat(gpus.get(1).count()).isEqualTo(1);
    assertThat(gpus).allSatisfy(gpu -> assertThat(gpu.driverVersion()).contains("560.35.03"));
  }

  @Test
  void nvidiaSmiNotAvailableAndNotSupportedValuesBecomeUnknown() throws IOException {
    String output = fixture("nvidia-smi-na-values.csv");

    List<NvidiaSmi.Row> rows = NvidiaSmi.parse(output);
    assertThat(rows).hasSize(1);
    assertThat(rows.get(0).name()).isEqualTo("NVIDIA GeForce RTX 4070 Laptop GPU");
    assertThat(rows.get(0).memoryTotalBytes()).hasValue(8188L * MIB);
    assertThat(rows.get(0).driver()).contains("550.107.02");
    assertThat(rows.get(0).powerLimitWatts()).isEmpty();
    assertThat(rows.get(0).powerDrawWatts()).isEmpty();

    List<DetectedGpu> gpus = NvidiaSmi.gpus(output);
    assertThat(gpus).hasSize(1);
    assertThat(canonicalId(gpus.get(0))).isEqualTo("nvidia-rtx-4070-laptop");
    assertThat(gpus.get(0).vramBytes()).hasValue(8188L * MIB);
  }

  @Test
  void nvidiaSmiTotalPowerDrawSumsAllGpusOrIsUnknown() {
    assertThat(NvidiaSmi.totalPowerDraw("34.12\n11.50\n")).hasValueCloseTo(45.62, within(1e-9));
    assertThat(NvidiaSmi.totalPowerDraw("[N/A]")).isEmpty();
    assertThat(NvidiaSmi.totalPowerDraw("[N/A]\n")).isEmpty();
    // one GPU without a reading makes the total unknown rather than too low
    assertThat(NvidiaSmi.totalPowerDraw("34.12\n[N/A]\n")).isEmpty();
    assertThat(NvidiaSmi.totalPowerDraw("")).isEmpty();
  }

  // ---- rocm-smi

  @Test
  void rocmSmiOldPicksTheNameTheCatalogKnowsAndKeepsAnAmbiguousOneRaw() throws IOException {
    List<DetectedGpu> gpus = AmdTools.fromRocmSmi(fixture("rocm-smi-old.json"));

    assertThat(gpus).hasSize(2);
    // card0: "Card series" is the pci.ids name shared by RX 6800/6800 XT/6900 XT; "Card model" is known
    DetectedGpu card0 = gpus.get(0);
    assertThat(card0.vendor()).isEqualTo(GpuVendor.AMD);
    assertThat(card0.rawName()).isEqualTo("Radeon RX 6900 XT");
    assertThat(canonicalId(card0)).isEqualTo("amd-rx-6900-xt");
    assertThat(card0.vramBytes()).hasValue(17163091968L);
    assertThat(card0.driverVersion()).contains("5.15.0-91-generic");
    assertThat(card0.count()).isEqualTo(1);
    // card1: the model is a subsystem hex id, so the ambiguous series name is kept and stays unknown
    DetectedGpu card1 = gpus.get(1);
    assertThat(card1.vendor()).isEqualTo(GpuVendor.AMD);
    assertThat(card1.rawName()).isEqualTo("Navi 21 [Radeon RX 6800/6800 XT / 6900 XT]");
    assertThat(card1.known()).isFalse();
    assertThat(card1.spec()).isEmpty();
    assertThat(card1.vramBytes()).hasValue(17163091968L);
    assertThat(card1.driverVersion()).contains("5.15.0-91-generic");
    assertThat(card1.count()).isEqualTo(1);
  }

  @Test
  void rocmSmiNewGivesThe7900XtxWithByteCountAndDkmsDriver() throws IOException {
    List<DetectedGpu> gpus = AmdTools.fromRocmSmi(fixture("rocm-smi-new.json"));

    assertThat(gpus).hasSize(1);
    DetectedGpu gpu = gpus.get(0);
    assertThat(gpu.vendor()).isEqualTo(GpuVendor.AMD);
    assertThat(gpu.rawName()).isEqualTo("Radeon RX 7900 XTX");
    assertThat(canonicalId(gpu)).isEqualTo("amd-rx-7900-xtx");
    assertThat(gpu.vramBytes()).hasValue(25753026560L);
    assertThat(gpu.driverVersion()).contains("6.10.5");
    assertThat(gpu.count()).isEqualTo(1);
  }

  // ---- amd-smi

  @Test
  void amdSmiOldBareListWithVramSizeInMebibytes() throws IOException {
    List<DetectedGpu> gpus = AmdTools.fromAmdSmi(fixture("amd-smi-old.json"));

    assertThat(gpus).hasSize(1);
    DetectedGpu gpu = gpus.get(0);
    assertThat(gpu.vendor()).isEqualTo(GpuVendor.AMD);
    assertThat(gpu.rawName()).isEqualTo("AMD Radeon RX 7900 XTX");
    assertThat(canonicalId(gpu)).isEqualTo("amd-rx-7900-xtx");
    assertThat(gpu.vramBytes()).hasValue(24560L * MIB);
    assertThat(gpu.driverVersion()).contains("6.3.6");
    assertThat(gpu.count()).isEqualTo(1);
  }

  @Test
  void amdSmiNewGpuDataObjectWithSizeValueAndUnit() throws IOException {
    List<DetectedGpu> gpus = AmdTools.fromAmdSmi(fixture("amd-smi-new.json"));

    assertThat(gpus).hasSize(1);
    DetectedGpu gpu = gpus.get(0);
    assertThat(gpu.rawName()).isEqualTo("AMD Radeon RX 7900 XTX");
    assertThat(canonicalId(gpu)).isEqualTo("amd-rx-7900-xtx");
    // amd-smi's "MB" are MiB: the same byte count rocm-smi prints for this card
    assertThat(gpu.vramBytes()).hasValue(24560L * MIB).hasValue(25753026560L);
    assertThat(gpu.driverVersion()).contains("6.14.14");
  }

  @Test
  void amdSmiNotAvailableVramLeavesMemoryUnknownButKeepsTheCard() {
    String output = """
        {"gpu_data": [{"gpu": 0, "asic": {"market_name": "AMD Radeon RX 7800 XT"}, "driver": {"name": "amdgpu", "version": "6.14.14"}, "vram": {"size": "N/A"}}]}
        """;

    List<DetectedGpu> gpus = AmdTools.fromAmdSmi(output);

    assertThat(gpus).hasSize(1);
    assertThat(canonicalId(gpus.get(0))).isEqualTo("amd-rx-7800-xt");
    assertThat(gpus.get(0).vramBytes()).isEmpty();
  }

  // ---- Apple silicon

  @Test
  void appleM1IsMatchedByItsEightGpuCores() throws IOException {
    List<DetectedGpu> gpus = AppleSilicon.gpus(fixture("system-profiler-m1.json"), OptionalLong.of(8 * GIB));

    assertThat(gpus).hasSize(1);
    DetectedGpu gpu = gpus.get(0);
    assertThat(gpu.vendor()).isEqualTo(GpuVendor.APPLE);
    // the item is named kHW_AppleM1Item; the name comes from sppci_model
    assertThat(gpu.rawName()).isEqualTo("Apple M1");
    assertThat(gpu.gpuCores()).hasValue(8);
    assertThat(canonicalId(gpu)).isEqualTo("apple-m1-8c");
    assertThat(gpu.vramBytes()).hasValue(8 * GIB);
    assertThat(gpu.driverVersion()).isEmpty();
    assertThat(gpu.count()).isEqualTo(1);
  }

  @Test
  void appleM2MaxWith38CoresHasTheUnifiedMemoryFromSysctlAsVram() throws IOException {
    AppleSilicon.Sysctl sysctl = AppleSilicon.Sysctl.parse(fixture("sysctl-m2-max.txt"));
    assertThat(sysctl.memoryBytes()).hasValue(68719476736L);

    List<DetectedGpu> gpus = AppleSilicon.gpus(fixture("system-profiler-m2-max.json"), sysctl.memoryBytes());

    assertThat(gpus).hasSize(1);
    DetectedGpu gpu = gpus.get(0);
    assertThat(gpu.vendor()).isEqualTo(GpuVendor.APPLE);
    assertThat(gpu.rawName()).isEqualTo("Apple M2 Max");
    assertThat(gpu.gpuCores()).hasValue(38);
    assertThat(canonicalId(gpu)).isEqualTo("apple-m2-max-38c");
    assertThat(gpu.vramBytes()).hasValue(68719476736L);
  }

  @Test
  void appleM3ProWith18CoresAndExternalDisplayIsOneGpu() throws IOException {
    List<DetectedGpu> gpus = AppleSilicon.gpus(fixture("system-profiler-m3-pro.json"), OptionalLong.of(36 * GIB));

    assertThat(gpus).hasSize(1);
    assertThat(gpus.get(0).rawName()).isEqualTo("Apple M3 Pro");
    assertThat(gpus.get(0).gpuCores()).hasValue(18);
    assertThat(canonicalId(gpus.get(0))).isEqualTo("apple-m3-pro-18c");
    assertThat(gpus.get(0).vramBytes()).hasValue(36 * GIB);
  }

  @Test
  void sysctlGivesBrandMemoryAndCpuCountsInArgumentOrder() throws IOException {
    AppleSilicon.Sysctl sysctl = AppleSilicon.Sysctl.parse(fixture("sysctl-m2-max.txt"));

    assertThat(sysctl.brand()).contains("Apple M2 Max");
    assertThat(sysctl.memoryBytes()).hasValue(64 * GIB);
    assertThat(sysctl.physicalCpus()).hasValue(12);
    assertThat(sysctl.logicalCpus()).hasValue(12);
  }

  // ---- Linux

  @Test
  void cpuinfoGivesModelDistinctCoresAndProcessorCount() throws IOException {
    Rig.CpuInfo cpu = LinuxSystem.cpu(fixture("cpuinfo-ryzen.txt"));

    assertThat(cpu.model()).contains("AMD Ryzen 9 7950X 16-Core Processor");
    // the fixture is trimmed to processors 0, 1, 16 and 31 of 32, with (physical id, core id)
    // pairs (0,0), (0,1), (0,0) and (0,15): 3 distinct cores, 4 threads
    assertThat(cpu.cores()).hasValue(3);
    assertThat(cpu.threads()).hasValue(4);
  }

  @Test
  void meminfoMemTotalIsInKibibytes() throws IOException {
    assertThat(LinuxSystem.memoryBytes(fixture("meminfo.txt"))).hasValue(65038472L * 1024L);
  }

  @Test
  void osReleaseGivesThePrettyName() throws IOException {
    assertThat(LinuxSystem.distribution(fixture("os-release-ubuntu.txt"))).contains("Ubuntu 24.04.1 LTS");
  }

  // ---- garbage

  @ParameterizedTest
  @ValueSource(strings = {"", "not json", "{}", "[]", "\n\n"})
  void garbageGivesNoGpusAndNeverThrows(String garbage) {
    assertThat(NvidiaSmi.parse(garbage)).isEmpty();
    assertThat(NvidiaSmi.gpus(garbage)).isEmpty();
    assertThat(NvidiaSmi.totalPowerDraw(garbage)).isEmpty();
    assertThat(AmdTools.fromAmdSmi(garbage)).isEmpty();
    assertThat(AmdTools.fromRocmSmi(garbage)).isEmpty();
    assertThat(AppleSilicon.gpus(garbage, OptionalLong.empty())).isEmpty();
    assertThat(AppleSilicon.gpus(garbage, OptionalLong.of(GIB))).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "not json", "{}", "[]", "\n\n"})
  void garbageGivesUnknownLinuxValuesAndNeverThrows(String garbage) {
    Rig.CpuInfo cpu = LinuxSystem.cpu(garbage);
    assertThat(cpu.model()).isEmpty();
    assertThat(cpu.cores()).isEmpty();
    assertThat(cpu.threads()).isEmpty();
    assertThat(LinuxSystem.memoryBytes(garbage)).isEmpty();
    assertThat(LinuxSystem.distribution(garbage)).isEmpty();
  }

  @Test
  void nvlinkAndPcieAreToldApartFromTheTopologyMatrix() throws IOException {
    assertThat(NvidiaSmi.interconnect(fixture("nvidia-smi-topo-nvlink.txt"))).contains("nvlink");
    assertThat(NvidiaSmi.interconnect(fixture("nvidia-smi-topo-pcie.txt"))).contains("pcie");
    assertThat(NvidiaSmi.interconnect("")).isEmpty();
    assertThat(NvidiaSmi.interconnect("No devices were found")).isEmpty();
  }
}
