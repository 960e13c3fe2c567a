package io.tokbench.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Raw names as tools print them; sources: gpu-catalog.csv header, producer-agent/src/test/resources/detect/SOURCES.md. */
class GpuCatalogTest {
  private static final long MIB = 1024L * 1024L;
  private static final long GIB = 1024L * MIB;
  private final GpuCatalog catalog = GpuCatalog.shared();

  @Test
  void catalogListsAtLeastSixtyGpusWithUniqueIds() {
    Collection<GpuSpec> all = catalog.all();
    assertThat(all).hasSizeGreaterThanOrEqualTo(60);
    List<String> ids = all.stream().map(GpuSpec::id).toList();
    assertThat(ids).doesNotHaveDuplicates();
    assertThat(ids).allSatisfy(id -> assertThat(id).matches("(nvidia|amd|apple|intel)-[a-z0-9]+(-[a-z0-9]+)*"));
    assertThat(all).allSatisfy(spec -> assertThat(spec.id()).startsWith(spec.vendor().toLowerCase(Locale.ROOT) + "-"));
  }

  @Test
  void everySpecHasBandwidthAKnownBackendAndAtLeastOneAlias() {
    assertThat(catalog.all()).allSatisfy(spec -> {
      assertThat(spec.bandwidthGBs()).as("bandwidth of %s", spec.id()).isPositive();
      assertThat(spec.backend()).as("backend of %s", spec.id()).isIn("CUDA", "ROCM", "METAL", "SYCL", "VULKAN");
      assertThat(spec.memoryClass()).as("memory class of %s", spec.id()).isNotNull();
      assertThat(spec.fp16Tflops()).as("FP16 throughput of %s", spec.id()).isPresent();
      assertThat(spec.vendor()).as("vendor of %s", spec.id()).isIn("NVIDIA", "AMD", "APPLE", "INTEL");
      assertThat(spec.segment()).as("segment of %s", spec.id()).isIn("desktop", "laptop", "datacenter", "workstation", "soc");
      assertThat(spec.aliases()).as("aliases of %s", spec.id()).isNotEmpty();
    });
  }

  @Test
  void everyGpuNamesOneOfItsVendorsArchitectures() {
    Map<String, List<String>> byVendor = Map.of(
        "NVIDIA", List.of("pascal", "volta", "turing", "ampere", "ada", "hopper", "blackwell"),
        "AMD", List.of("gcn4", "gcn5", "cdna1", "cdna2", "cdna3", "cdna4", "rdna1", "rdna2", "rdna3", "rdna3.5", "rdna4"),
        "APPLE", List.of("apple-m1", "apple-m2", "apple-m3", "apple-m4", "apple-m5"),
        "INTEL", List.of("xe-lp", "xe-hpg", "xe2"));
    assertThat(catalog.all()).allSatisfy(spec ->
        assertThat(spec.architecture()).as("architecture of %s", spec.id()).isIn(byVendor.get(spec.vendor())));
    // Siblings share kernels; one generation apart they do not.
    assertThat(List.of("amd-rx-7900-xtx", "amd-radeon-pro-w7900", "amd-rx-7600")).allSatisfy(id -> assertThat(architectureOf(id)).isEqualTo("rdna3"));
    assertThat(List.of("amd-rx-9070-xt", "amd-radeon-ai-pro-r9700")).allSatisfy(id -> assertThat(architectureOf(id)).isEqualTo("rdna4"));
    assertThat(List.of("amd-radeon-vii", "amd-mi50-32gb")).allSatisfy(id -> assertThat(architectureOf(id)).isEqualTo("gcn5"));
    assertThat(architectureOf("amd-radeon-8060s")).isEqualTo("rdna3.5");
    assertThat(architectureOf("amd-rx-580-8gb")).isEqualTo("gcn4");
    assertThat(architectureOf("amd-mi355x")).isEqualTo("cdna4");
    assertThat(List.of("nvidia-rtx-3090", "nvidia-rtx-a6000", "nvidia-a100-80gb-sxm", "nvidia-jetson-agx-orin-64gb")).allSatisfy(id -> assertThat(architectureOf(id)).isEqualTo("ampere"));
    assertThat(List.of("nvidia-rtx-4090", "nvidia-rtx-6000-ada", "nvidia-l40s")).allSatisfy(id -> assertThat(architectureOf(id)).isEqualTo("ada"));
    assertThat(List.of("nvidia-rtx-5090", "nvidia-rtx-pro-6000-blackwell", "nvidia-dgx-spark", "nvidia-b300")).allSatisfy(id -> assertThat(architectureOf(id)).isEqualTo("blackwell"));
    assertThat(architectureOf("apple-m2-ultra-76c")).isEqualTo("apple-m2");
    assertThat(architectureOf("intel-arc-b580")).isEqualTo("xe2");
  }

  private String architectureOf(String id) {
    return catalog.byId(id).orElseThrow().architecture();
  }

  @Test
  void appleRowsHaveCoreCountsAndEveryUnifiedMemoryRowTheGpusDefaultShare() {
    assertThat(catalog.all()).allSatisfy(spec -> {
      assertThat(spec.vramBytes()).as("memory of %s", spec.id()).isPositive();
      if (spec.vendor().equals("APPLE")) {
        assertThat(spec.gpuCores()).as("cores of %s", spec.id()).isPresent();
      }
      assertThat(spec.unifiedMemory()).as("unified memory of %s", spec.id()).isEqualTo(spec.memoryClass() == MemoryClass.UNIFIED);
      assertThat(spec.usableMemoryBytes()).as("usable memory of %s", spec.id()).isPositive().isLessThanOrEqualTo(spec.vramBytes());
    });
  }

  @Test
  void anM2UltraWith192GbLetsItsGpuHoldA70bQ4Model() {
    GpuSpec m2Ultra = catalog.byId("apple-m2-ultra-76c").orElseThrow();
    long llama70bQ4KM = 42_520_395_584L; // Llama-3.3-70B-Instruct-Q4_K_M.gguf

    assertThat(m2Ultra.vramBytes()).isEqualTo(192 * GIB);
    assertThat(m2Ultra.usableMemoryBytes()).isEqualTo(144 * GIB); // macOS: 3/4 of memory above 36 GB
    assertThat(m2Ultra.usableMemoryBytes()).isGreaterThan(llama70bQ4KM);
    assertThat(m2Ultra.usableMemoryBytes(64 * GIB)).isEqualTo(48 * GIB);
    assertThat(catalog.byId("amd-radeon-8060s").orElseThrow().usableMemoryBytes()).isEqualTo(64 * GIB); // Linux GTT: half
    assertThat(catalog.byId("nvidia-rtx-4090").orElseThrow().usableMemoryBytes()).isEqualTo(24 * GIB);
  }

  @Test
  void memoryTypesSortGpusIntoHbmGddrAndUnifiedClasses() {
    assertThat(catalog.byId("nvidia-h100-sxm").orElseThrow().memoryClass()).isEqualTo(MemoryClass.HBM);
    assertThat(catalog.byId("amd-mi300x").orElseThrow().memoryClass()).isEqualTo(MemoryClass.HBM);
    assertThat(catalog.byId("nvidia-tesla-p100-pcie-16gb").orElseThrow().memoryClass()).isEqualTo(MemoryClass.HBM);
    assertThat(catalog.byId("nvidia-rtx-4090").orElseThrow().memoryClass()).isEqualTo(MemoryClass.GDDR);
    assertThat(catalog.byId("nvidia-l40s").orElseThrow().memoryClass()).isEqualTo(MemoryClass.GDDR);
    assertThat(catalog.byId("apple-m3-max-40c").orElseThrow().memoryClass()).isEqualTo(MemoryClass.UNIFIED);
    assertThat(catalog.byId("nvidia-dgx-spark").orElseThrow().memoryClass()).isEqualTo(MemoryClass.UNIFIED);
  }

  @Test
  void theGpusOfThePublishedResultsAreCatalogued() {
    // issue 12: GPUs in published llama.cpp scoreboards and benchmark repositories that the catalog lacked
    assertThat(List.of("nvidia-b300", "nvidia-a40", "nvidia-dgx-spark", "nvidia-tesla-p100-pcie-16gb", "amd-radeon-ai-pro-r9700",
        "nvidia-gtx-1080", "nvidia-rtx-4000-ada", "nvidia-rtx-5000-ada", "amd-radeon-8060s", "amd-radeon-pro-w7700", "amd-radeon-pro-w7900",
        "nvidia-jetson-agx-orin-64gb", "nvidia-rtx-a2000-12gb", "nvidia-rtx-a400", "amd-rx-6500-xt", "amd-rx-580-8gb", "intel-arc-pro-b50",
        "amd-radeon-780m-ddr5-5600", "intel-iris-xe-lpddr4x-4266", "amd-radeon-pro-w7800", "amd-radeon-890m-ddr5-5600", "amd-radeon-890m-lpddr5x-7500",
        "intel-arc-130v"))
        .allSatisfy(id -> assertThat(catalog.byId(id)).as(id).isPresent());
  }

  @Test
  void namesThatDoNotSayTheFormFactorOrTheMemoryAreNotGuessed() {
    // H100 PCIe, SXM and NVL differ in bandwidth (2.0, 3.35, 3.9 TB/s): a bare name is not one of them
    assertThat(catalog.match("NVIDIA H100")).isEmpty();
    assertThat(catalog.match("H100 80GB")).isEmpty();
    assertThat(catalog.match("NVIDIA A100 80GB")).isEmpty();
    // integrated GPUs run on the laptop's memory: the name alone does not give the bandwidth
    assertThat(catalog.match("AMD Radeon 780M Graphics", OptionalInt.empty(), OptionalLong.of(32 * GIB))).isEmpty();
    assertThat(catalog.match("AMD Radeon 890M Graphics", OptionalInt.empty(), OptionalLong.of(64 * GIB))).isEmpty();
    assertThat(catalog.match("Intel(R) Iris(R) Xe Graphics", OptionalInt.empty(), OptionalLong.of(16 * GIB))).isEmpty();
    assertThat(catalog.match("AMD Radeon RX 580 Series")).isEmpty();
    assertThat(catalog.match("AMD Radeon RX 580 Series", OptionalInt.empty(), OptionalLong.of(8 * GIB)).map(GpuSpec::id)).contains("amd-rx-580-8gb");
  }

  @Test
  void byIdFindsASpecAndItsMarketedMemoryInBinaryGigabytes() {
    GpuSpec spec = catalog.byId("nvidia-rtx-4090").orElseThrow();
    assertThat(spec.vendor()).isEqualTo("NVIDIA");
    assertThat(spec.vramBytes()).isEqualTo(24 * GIB);
    assertThat(spec.bandwidthGBs()).isEqualTo(1008.0);
    assertThat(spec.bandwidthBytesPerSecond()).isEqualTo(1008e9);
    assertThat(catalog.byId("nvidia-rtx-9999")).isEmpty();
  }

  @ParameterizedTest(name = "{0} ({1} cores) -> {2}")
  @CsvSource(delimiter = '|', textBlock = """
      NVIDIA GeForce RTX 2060                                 |    | nvidia-rtx-2060
      NVIDIA GeForce RTX 2070 SUPER                           |    | nvidia-rtx-2070-super
      GeForce RTX 2080 SUPER                                  |    | nvidia-rtx-2080-super
      NVIDIA GeForce RTX 2080 Ti                              |    | nvidia-rtx-2080-ti
      NVIDIA GeForce RTX 2070 with Max-Q Design               |    | nvidia-rtx-2070-laptop
      GeForce RTX 2080 with Max-Q Design                      |    | nvidia-rtx-2080-laptop
      NVIDIA GeForce RTX 3060 Ti                              |    | nvidia-rtx-3060-ti
      NVIDIA GeForce RTX 3070                                 |    | nvidia-rtx-3070
      NVIDIA GeForce RTX 3070 Ti                              |    | nvidia-rtx-3070-ti
      NVIDIA GeForce RTX 3080 Ti                              |    | nvidia-rtx-3080-ti
      NVIDIA GeForce RTX 3090                                 |    | nvidia-rtx-3090
      NVIDIA GeForce RTX 3090 Ti                              |    | nvidia-rtx-3090-ti
      NVIDIA GeForce RTX 3060 Laptop GPU                      |    | nvidia-rtx-3060-laptop
      NVIDIA GeForce RTX 3070 Laptop GPU                      |    | nvidia-rtx-3070-laptop
      NVIDIA GeForce RTX 3080 Laptop GPU                      |    | nvidia-rtx-3080-laptop
      NVIDIA GeForce RTX 3080 Ti Laptop GPU                   |    | nvidia-rtx-3080-ti-laptop
      NVIDIA GeForce RTX 4060                                 |    | nvidia-rtx-4060
      NVIDIA GeForce RTX 4070                                 |    | nvidia-rtx-4070
      NVIDIA GeForce RTX 4070 SUPER                           |    | nvidia-rtx-4070-super
      NVIDIA GeForce RTX 4070 Ti                              |    | nvidia-rtx-4070-ti
      NVIDIA GeForce RTX 4070 Ti SUPER                        |    | nvidia-rtx-4070-ti-super
      NVIDIA GeForce RTX 4080                                 |    | nvidia-rtx-4080
      NVIDIA GeForce RTX 4080 SUPER                           |    | nvidia-rtx-4080-super
      NVIDIA GeForce RTX 4090                                 |    | nvidia-rtx-4090
      NVIDIA GeForce RTX 4050 Laptop GPU                      |    | nvidia-rtx-4050-laptop
      NVIDIA GeForce RTX 4060 Laptop GPU                      |    | nvidia-rtx-4060-laptop
      NVIDIA GeForce RTX 4070 Laptop GPU                      |    | nvidia-rtx-4070-laptop
      NVIDIA GeForce RTX 4080 Laptop GPU                      |    | nvidia-rtx-4080-laptop
      NVIDIA GeForce RTX 4090 Laptop GPU                      |    | nvidia-rtx-4090-laptop
      NVIDIA GeForce RTX 5060                                 |    | nvidia-rtx-5060
      NVIDIA GeForce RTX 5070                                 |    | nvidia-rtx-5070
      NVIDIA GeForce RTX 5070 Ti                              |    | nvidia-rtx-5070-ti
      NVIDIA GeForce RTX 5080                                 |    | nvidia-rtx-5080
      NVIDIA GeForce RTX 5090                                 |    | nvidia-rtx-5090
      NVIDIA GeForce RTX 5070 Laptop GPU                      |    | nvidia-rtx-5070-laptop
      NVIDIA GeForce RTX 5080 Laptop GPU                      |    | nvidia-rtx-5080-laptop
      NVIDIA GeForce RTX 5090 Laptop GPU                      |    | nvidia-rtx-5090-laptop
      NVIDIA RTX A6000                                        |    | nvidia-rtx-a6000
      NVIDIA RTX 6000 Ada Generation                          |    | nvidia-rtx-6000-ada
      NVIDIA RTX PRO 6000 Blackwell Workstation Edition       |    | nvidia-rtx-pro-6000-blackwell
      Tesla V100-SXM2-16GB                                    |    | nvidia-v100-16gb
      Tesla V100-PCIE-32GB                                    |    | nvidia-v100-32gb
      Tesla T4                                                |    | nvidia-t4
      NVIDIA A10G                                             |    | nvidia-a10g
      NVIDIA A100-SXM4-40GB                                   |    | nvidia-a100-40gb
      NVIDIA A100-PCIE-40GB                                   |    | nvidia-a100-40gb
      NVIDIA A100-SXM4-80GB                                   |    | nvidia-a100-80gb-sxm
      NVIDIA A100 80GB PCIe                                   |    | nvidia-a100-80gb-pcie
      NVIDIA H100 PCIe                                        |    | nvidia-h100-pcie
      NVIDIA H100 80GB HBM3                                   |    | nvidia-h100-sxm
      NVIDIA H100 NVL                                         |    | nvidia-h100-nvl
      NVIDIA H200                                             |    | nvidia-h200
      NVIDIA H200 NVL                                         |    | nvidia-h200-nvl
      NVIDIA L4                                               |    | nvidia-l4
      NVIDIA L40                                              |    | nvidia-l40
      NVIDIA L40S                                             |    | nvidia-l40s
      NVIDIA A40                                              |    | nvidia-a40
      NVIDIA GB10                                             |    | nvidia-dgx-spark
      Tesla P100-PCIE-16GB                                    |    | nvidia-tesla-p100-pcie-16gb
      NVIDIA GeForce GTX 1080                                 |    | nvidia-gtx-1080
      NVIDIA RTX 4000 Ada Generation                          |    | nvidia-rtx-4000-ada
      NVIDIA RTX 5000 Ada Generation                          |    | nvidia-rtx-5000-ada
      NVIDIA RTX A400                                         |    | nvidia-rtx-a400
      NVIDIA RTX A2000 12GB                                   |    | nvidia-rtx-a2000-12gb
      AMD Radeon PRO W7700                                    |    | amd-radeon-pro-w7700
      AMD Radeon PRO W7900                                    |    | amd-radeon-pro-w7900
      AMD Radeon AI PRO R9700                                 |    | amd-radeon-ai-pro-r9700
      AMD Radeon 8060S Graphics                               |    | amd-radeon-8060s
      AMD Radeon RX 6500 XT                                   |    | amd-rx-6500-xt
      Intel(R) Arc(TM) Pro B50 Graphics                       |    | intel-arc-pro-b50
      AMD Radeon RX 6700 XT                                   |    | amd-rx-6700-xt
      AMD Radeon RX 6600                                      |    | amd-rx-6600
      AMD Radeon RX 6600 XT                                   |    | amd-rx-6600-xt
      AMD Radeon RX 6650 XT                                   |    | amd-rx-6650-xt
      AMD Radeon RX 6750 XT                                   |    | amd-rx-6750-xt
      AMD Radeon RX 7600 XT                                   |    | amd-rx-7600-xt
      AMD Radeon VII                                          |    | amd-radeon-vii
      Radeon Instinct MI50 32GB                               |    | amd-mi50-32gb
      Tesla P40                                               |    | nvidia-tesla-p40
      NVIDIA GeForce GTX 1080 Ti                              |    | nvidia-gtx-1080-ti
      GeForce GTX 1080 Ti                                     |    | nvidia-gtx-1080-ti
      NVIDIA TITAN RTX                                        |    | nvidia-titan-rtx
      Quadro RTX 8000                                         |    | nvidia-quadro-rtx-8000
      NVIDIA A30                                              |    | nvidia-a30
      Intel(R) Arc(TM) Pro B60 Graphics                       |    | intel-arc-pro-b60
      Intel(R) Arc(tm) Pro B60 Graphics                       |    | intel-arc-pro-b60
      Intel(R) Arc(TM) A580 Graphics                          |    | intel-arc-a580
      NVIDIA RTX 2000 Ada Generation                          |    | nvidia-rtx-2000-ada
      NVIDIA RTX 4500 Ada Generation                          |    | nvidia-rtx-4500-ada
      NVIDIA RTX A4500                                        |    | nvidia-rtx-a4500
      NVIDIA RTX PRO 4000 Blackwell                           |    | nvidia-rtx-pro-4000-blackwell
      NVIDIA RTX PRO 5000 Blackwell                           |    | nvidia-rtx-pro-5000-blackwell
      NVIDIA H20                                              |    | nvidia-h20
      AMD Radeon RX 7700 XT                                   |    | amd-rx-7700-xt
      AMD Radeon RX 9070 GRE                                  |    | amd-rx-9070-gre
      AMD Radeon 8050S Graphics                               |    | amd-radeon-8050s
      AMD Radeon RX 6800 XT                                   |    | amd-rx-6800-xt
      Radeon RX 6900 XT                                       |    | amd-rx-6900-xt
      AMD Radeon RX 6950 XT                                   |    | amd-rx-6950-xt
      Navi 21 [Radeon RX 6950 XT]                             |    | amd-rx-6950-xt
      AMD Radeon RX 7600                                      |    | amd-rx-7600
      AMD Radeon RX 7800 XT                                   |    | amd-rx-7800-xt
      AMD Radeon RX 7900 GRE                                  |    | amd-rx-7900-gre
      AMD Radeon RX 7900 XT                                   |    | amd-rx-7900-xt
      AMD Radeon RX 7900 XTX                                  |    | amd-rx-7900-xtx
      Radeon RX 7900 XTX                                      |    | amd-rx-7900-xtx
      Navi 31 [Radeon RX 7900 XTX]                            |    | amd-rx-7900-xtx
      AMD Radeon RX 9070                                      |    | amd-rx-9070
      AMD Radeon RX 9070 XT                                   |    | amd-rx-9070-xt
      Navi 48 [Radeon RX 9070 XT]                             |    | amd-rx-9070-xt
      AMD Instinct MI100                                      |    | amd-mi100
      Arcturus GL-XL [Instinct MI100]                         |    | amd-mi100
      AMD Instinct MI210                                      |    | amd-mi210
      Aldebaran/MI200 [Instinct MI210]                        |    | amd-mi210
      AMD Instinct MI250                                      |    | amd-mi250
      AMD Instinct MI250X                                     |    | amd-mi250x
      AMD Instinct MI300A                                     |    | amd-mi300a
      AMD Instinct MI300X                                     |    | amd-mi300x
      AMD Instinct MI300X VF                                  |    | amd-mi300x
      Aqua Vanjaram [Instinct MI300X]                         |    | amd-mi300x
      AMD Instinct MI325X                                     |    | amd-mi325x
      Intel(R) Arc(TM) A380 Graphics                          |    | intel-arc-a380
      Intel(R) Arc(TM) A750 Graphics                          |    | intel-arc-a750
      DG2 [Arc A750]                                          |    | intel-arc-a750
      Intel(R) Arc(TM) B570 Graphics                          |    | intel-arc-b570
      Intel(R) Arc(TM) B580 Graphics                          |    | intel-arc-b580
      Battlemage G21 [Arc B580]                               |    | intel-arc-b580
      Apple M1                                                |  7 | apple-m1-7c
      Apple M1                                                |  8 | apple-m1-8c
      Apple M1 Pro                                            | 16 | apple-m1-pro-16c
      Apple M1 Max                                            | 32 | apple-m1-max-32c
      Apple M1 Ultra                                          | 64 | apple-m1-ultra-64c
      Apple M2                                                | 10 | apple-m2-10c
      Apple M2 Pro                                            | 19 | apple-m2-pro-19c
      Apple M2 Max                                            | 30 | apple-m2-max-30c
      Apple M2 Max                                            | 38 | apple-m2-max-38c
      Apple M2 Ultra                                          | 76 | apple-m2-ultra-76c
      Apple M3                                                |  8 | apple-m3-8c
      Apple M3 Pro                                            | 18 | apple-m3-pro-18c
      Apple M3 Max                                            | 30 | apple-m3-max-30c
      Apple M3 Max                                            | 40 | apple-m3-max-40c
      Apple M3 Ultra                                          | 80 | apple-m3-ultra-80c
      Apple M4                                                | 10 | apple-m4-10c
      Apple M4 Pro                                            | 20 | apple-m4-pro-20c
      Apple M4 Max                                            | 32 | apple-m4-max-32c
      Apple M4 Max                                            | 40 | apple-m4-max-40c
      Apple M5                                                | 10 | apple-m5-10c
      """)
  void rawNamesAsToolsPrintThemMatchTheirCanonicalId(String rawName, Integer gpuCores, String expectedId) {
    OptionalInt cores = gpuCores == null ? OptionalInt.empty() : OptionalInt.of(gpuCores);

    assertThat(catalog.match(rawName, cores).map(GpuSpec::id)).contains(expectedId);
  }

  @Test
  void laptopAndDesktopCardsOfTheSameNumberStayDistinct() {
    GpuSpec desktop = catalog.match("NVIDIA GeForce RTX 4090").orElseThrow();
    GpuSpec laptop = catalog.match("NVIDIA GeForce RTX 4090 Laptop GPU").orElseThrow();

    assertThat(desktop.id()).isEqualTo("nvidia-rtx-4090");
    assertThat(laptop.id()).isEqualTo("nvidia-rtx-4090-laptop");
    assertThat(desktop.segment()).isEqualTo("desktop");
    assertThat(laptop.segment()).isEqualTo("laptop");
    assertThat(desktop.bandwidthGBs()).isEqualTo(1008.0);
    assertThat(laptop.bandwidthGBs()).isEqualTo(576.0);
    assertThat(laptop.vramBytes()).isEqualTo(16 * GIB);
  }

  @Test
  void appleCoreCountPicksTheBinnedVariantAndItsBandwidth() {
    GpuSpec m3Max30 = catalog.match("Apple M3 Max", OptionalInt.of(30)).orElseThrow();
    GpuSpec m3Max40 = catalog.match("Apple M3 Max", OptionalInt.of(40)).orElseThrow();
    assertThat(m3Max30.id()).isEqualTo("apple-m3-max-30c");
    assertThat(m3Max40.id()).isEqualTo("apple-m3-max-40c");
    assertThat(m3Max30.bandwidthGBs()).isEqualTo(300.0);
    assertThat(m3Max40.bandwidthGBs()).isEqualTo(400.0);

    assertThat(catalog.match("Apple M4 Max", OptionalInt.of(32)).map(GpuSpec::bandwidthGBs)).contains(410.0);
    assertThat(catalog.match("Apple M4 Max", OptionalInt.of(40)).map(GpuSpec::bandwidthGBs)).contains(546.0);
  }

  @Test
  void appleNameWithoutCoreCountOrWithAnUnknownOneIsNotGuessed() {
    assertThat(catalog.match("Apple M3 Max")).isEmpty();
    assertThat(catalog.match("Apple M3 Max", OptionalInt.empty())).isEmpty();
    assertThat(catalog.match("Apple M2 Max", OptionalInt.of(34))).isEmpty();
  }

  @Test
  void namesSharedByMemoryVariantsResolveByReportedVram() {
    String rtx3080 = "NVIDIA GeForce RTX 3080";
    assertThat(catalog.match(rtx3080, OptionalInt.empty(), OptionalLong.of(10240L * MIB)).map(GpuSpec::id)).contains("nvidia-rtx-3080-10gb");
    assertThat(catalog.match(rtx3080, OptionalInt.empty(), OptionalLong.of(12288L * MIB)).map(GpuSpec::id)).contains("nvidia-rtx-3080-12gb");
    assertThat(catalog.match(rtx3080, OptionalInt.empty(), OptionalLong.of(10240L * MIB)).map(GpuSpec::bandwidthGBs)).contains(760.0);
    assertThat(catalog.match(rtx3080, OptionalInt.empty(), OptionalLong.of(12288L * MIB)).map(GpuSpec::bandwidthGBs)).contains(912.0);

    assertThat(catalog.match("NVIDIA GeForce RTX 3060", OptionalInt.empty(), OptionalLong.of(12288L * MIB)).map(GpuSpec::id)).contains("nvidia-rtx-3060-12gb");
    assertThat(catalog.match("NVIDIA GeForce RTX 3060", OptionalInt.empty(), OptionalLong.of(8192L * MIB)).map(GpuSpec::id)).contains("nvidia-rtx-3060-8gb");
    assertThat(catalog.match("NVIDIA GeForce RTX 4060 Ti", OptionalInt.empty(), OptionalLong.of(16380L * MIB)).map(GpuSpec::id)).contains("nvidia-rtx-4060-ti-16gb");
    assertThat(catalog.match("Intel(R) Arc(TM) A770 Graphics", OptionalInt.empty(), OptionalLong.of(16 * GIB)).map(GpuSpec::id)).contains("intel-arc-a770-16gb");
    // rocminfo names the MI50 and the MI60 alike: 16 GB can only be an MI50, 32 GB is either and stays unknown
    assertThat(catalog.match("AMD Instinct MI50/MI60", OptionalInt.empty(), OptionalLong.of(16 * GIB)).map(GpuSpec::id)).contains("amd-mi50-16gb");
    assertThat(catalog.match("AMD Instinct MI50/MI60", OptionalInt.empty(), OptionalLong.of(32 * GIB))).isEmpty();
    assertThat(catalog.match("AMD Instinct MI50/MI60")).isEmpty();
    // lspci's combined Navi 31 name: 24560 MiB (what amd-smi reports for a 7900 XTX) decides it
    assertThat(catalog.match("Navi 31 [Radeon RX 7900 XT/7900 XTX]", OptionalInt.empty(), OptionalLong.of(24560L * MIB)).map(GpuSpec::id)).contains("amd-rx-7900-xtx");
  }

  @Test
  void namesSharedByMemoryVariantsAreNotGuessedWithoutAFittingSize() {
    assertThat(catalog.match("NVIDIA GeForce RTX 3080")).isEmpty();
    assertThat(catalog.match("NVIDIA GeForce RTX 3080", OptionalInt.empty(), OptionalLong.empty())).isEmpty();
    assertThat(catalog.match("NVIDIA GeForce RTX 3080", OptionalInt.empty(), OptionalLong.of(20L * GIB))).isEmpty();
    // every product behind this lspci name has 16 GB: memory cannot tell them apart
    assertThat(catalog.match("Navi 21 [Radeon RX 6800/6800 XT / 6900 XT]", OptionalInt.empty(), OptionalLong.of(16368L * MIB))).isEmpty();
    // MI250 and MI250X share a name and identical memory
    assertThat(catalog.match("AMD Instinct MI250X / MI250", OptionalInt.empty(), OptionalLong.of(128L * GIB))).isEmpty();
  }

  @Test
  void unknownNamesStayUnknown() {
    assertThat(catalog.match("NVIDIA GeForce RTX 9999")).isEmpty();
    assertThat(catalog.match("NVIDIA GeForce RTX 4090 Ti")).isEmpty();
    assertThat(catalog.match("Navi 31 [Radeon RX 7900 XT/7900 XTX/7900 GRE/7900M]")).isEmpty();
    assertThat(catalog.match("")).isEmpty();
    assertThat(catalog.match(null)).isEmpty();
  }

  @Test
  void matchingIgnoresCaseAndExtraWhitespace() {
    Optional<GpuSpec> spec = catalog.match("  nvidia geforce   rtx 4090 ");
    assertThat(spec.map(GpuSpec::id)).contains("nvidia-rtx-4090");
    assertThat(catalog.match("APPLE\tM3  MAX", OptionalInt.of(40)).map(GpuSpec::id)).contains("apple-m3-max-40c");
  }

  @Test
  void everyRowIsReachableFromOneOfItsAliasesGivenItsCoreCountAndMemory() {
    // integrated GPUs whose bandwidth depends on the laptop's memory are reachable by id only
    List<String> byIdOnly = List.of("amd-radeon-780m-ddr5-5600", "amd-radeon-780m-lpddr5x-7500", "amd-radeon-890m-ddr5-5600", "amd-radeon-890m-lpddr5x-7500",
        "intel-iris-xe-lpddr4x-4266", "intel-iris-xe-ddr4-3200");
    assertThat(catalog.all().stream().filter(spec -> !byIdOnly.contains(spec.id()))).allSatisfy(spec -> {
      OptionalLong vram = OptionalLong.of(spec.vramBytes());
      assertThat(spec.aliases())
          .as("some alias of %s must match it", spec.id())
          .anySatisfy(alias -> assertThat(catalog.match(alias, spec.gpuCores(), vram).map(GpuSpec::id)).contains(spec.id()));
    });
  }

  @Test
  void aCoreCountThatContradictsTheOnlyVariantIsNoMatch() {
    // The catalog lists only the 10-core M5: an 8-core one is a different part, not a guess away.
    assertThat(GpuCatalog.shared().match("Apple M5", OptionalInt.of(10))).map(GpuSpec::id).contains("apple-m5-10c");
    assertThat(GpuCatalog.shared().match("Apple M5", OptionalInt.of(8))).isEmpty();
  }
}
