package io.tokbench.deploy.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokbench.aggregator.topology.AggregatorTopology;
import io.tokbench.aggregator.validate.Rejection;
import io.tokbench.aggregator.validate.ReportValidator;
import io.tokbench.catalog.GpuCatalog;
import io.tokbench.catalog.GpuSpec;
import io.tokbench.normalize.Normalization;
import io.tokbench.normalize.OrderStatistics;
import io.tokbench.schema.Architecture;
import io.tokbench.schema.Backend;
import io.tokbench.schema.BenchmarkReport;
import io.tokbench.serde.WireFormat;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.ToDoubleFunction;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.junit.jupiter.api.Test;

/** The demo fleet puts something believable on every page, and the validator agrees with it about what is valid. */
class DemoFleetTest {
  private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  private static final int SCHEMA_ID = 1;
  private static final List<BenchmarkReport> REPORTS = new DemoFleet(42, CLOCK).reports(DemoFleet.DEFAULT_RIGS);

  /** Built as the aggregator's topology builds it. */
  private final ReportValidator validator =
      new ReportValidator(AggregatorTopology.Settings.DEFAULT.maxClockSkew(), AggregatorTopology.Settings.DEFAULT.maxReportAge());

  @Test
  void theSameSeedGivesTheSameFleet() {
    DemoFleet again = new DemoFleet(42, CLOCK);
    assertThat(again.reports(DemoFleet.DEFAULT_RIGS)).isEqualTo(REPORTS);
    assertThat(new DemoFleet(42, CLOCK).outliers().stream().map(DemoFleet.Outlier::report).toList())
        .isEqualTo(again.outliers().stream().map(DemoFleet.Outlier::report).toList());
    assertThat(hex(new DemoFleet(42, CLOCK).malformed(SCHEMA_ID))).isEqualTo(hex(again.malformed(SCHEMA_ID)));
    assertThat(new DemoFleet(43, CLOCK).reports(DemoFleet.DEFAULT_RIGS)).isNotEqualTo(REPORTS);
  }

  @Test
  void everyValidReportPassesTheAggregatorsValidator() {
    List<String> refused = new ArrayList<>();
    for (BenchmarkReport report : REPORTS) {
      validator.check(report, NOW.toEpochMilli()).ifPresent(rejection -> refused.add(report.getModel().getName() + " on "
          + Normalization.gpu(report) + ": " + rejection.reasonCode() + " " + rejection.message()));
    }
    assertThat(refused).isEmpty();
    assertThat(REPORTS).allMatch(r -> r.getSuiteId().equals("tokbench-suite-1") && r.getSchemaVersion() == 3);
  }

  @Test
  void theFleetIsLargeAndVaried() {
    assertThat(REPORTS.stream().map(BenchmarkReport::getRigId).distinct().count()).isGreaterThanOrEqualTo(250);
    assertThat(REPORTS).hasSizeGreaterThan(1000);
    assertThat(REPORTS.stream().map(r -> r.getRuntime().getName()).collect(Collectors.toSet())).contains("ollama", "llama.cpp", "lmstudio");
    assertThat(REPORTS.stream().map(r -> r.getHardware().getOs().getName()).collect(Collectors.toSet()))
        .containsExactlyInAnyOrder("linux", "windows", "macos");
    assertThat(REPORTS.stream().map(r -> Normalization.model(r.getModel().getName(), r.getModel().getDigest())).distinct().count())
        .isGreaterThanOrEqualTo(8);
    assertThat(REPORTS).anyMatch(r -> Normalization.gpuCount(r) == 2);
    assertThat(REPORTS).anyMatch(r -> r.getFlags().getPartialOffload() && r.getSettings().getGpuOffloadFraction() < 0.999);
    assertThat(REPORTS).noneMatch(r -> Normalization.gpu(r).startsWith("unknown:") || Normalization.model(r.getModel().getName(), null).startsWith("raw:"));
    // Apple is Metal on macOS, AMD is ROCm on Linux, NVIDIA is CUDA: as the agent would detect them.
    for (BenchmarkReport r : REPORTS) {
      String setup = r.getHardware().getOs().getName() + "/" + r.getRuntime().getBackend();
      switch (r.getHardware().getGpus().get(0).getVendor()) {
        case APPLE -> assertThat(setup).isEqualTo("macos/METAL");
        case AMD -> assertThat(setup).isEqualTo("linux/ROCM");
        default -> assertThat(r.getRuntime().getBackend()).isEqualTo(Backend.CUDA);
      }
    }
  }

  @Test
  void reportsAreSpreadOverTheLastDaysAndComeOldestFirst() {
    Instant earliest = REPORTS.get(0).getMeasuredAt();
    Instant latest = REPORTS.get(REPORTS.size() - 1).getMeasuredAt();
    assertThat(REPORTS).isSortedAccordingTo(Comparator.comparing(BenchmarkReport::getMeasuredAt));
    assertThat(earliest).isAfter(NOW.minus(Duration.ofDays(5)));
    assertThat(latest).isBefore(NOW.minus(Duration.ofMinutes(1)));
    assertThat(Duration.between(earliest, latest)).isGreaterThan(Duration.ofDays(2));
  }

  @Test
  void singleUserMediansFollowMemoryBandwidth() {
    Map<String, List<BenchmarkReport>> byGpu = REPORTS.stream()
        .filter(r -> r.getSettings().getConcurrency() == 1 && !r.getFlags().getPartialOffload() && Normalization.gpuCount(r) == 1)
        .filter(r -> Normalization.model(r.getModel().getName(), r.getModel().getDigest()).equals("llama-3.1-8b-instruct"))
        .filter(r -> Normalization.quantization(r.getModel().getQuantization()).equals("Q4_K_M"))
        .collect(Collectors.groupingBy(Normalization::gpu, TreeMap::new, Collectors.toList()));
    Map<String, Double> medians = new TreeMap<>();
    byGpu.forEach((gpu, reports) -> medians.put(gpu, median(reports, DemoFleetTest::rate)));

    assertThat(medians).containsKeys("nvidia-rtx-4090", "nvidia-rtx-3060-12gb");
    assertThat(medians.get("nvidia-rtx-4090")).isGreaterThan(1.5 * medians.get("nvidia-rtx-3060-12gb"));
    // Among CUDA cards seen on at least three rigs, clearly more bandwidth means clearly more tok/s.
    int compared = 0;
    for (String faster : byGpu.keySet()) {
      for (String slower : byGpu.keySet()) {
        GpuSpec a = GpuCatalog.shared().byId(faster).orElseThrow();
        GpuSpec b = GpuCatalog.shared().byId(slower).orElseThrow();
        if (a.backend().equals("CUDA") && b.backend().equals("CUDA") && a.bandwidthGBs() >= 1.6 * b.bandwidthGBs()
            && rigs(byGpu.get(faster)) >= 3 && rigs(byGpu.get(slower)) >= 3) {
          assertThat(medians.get(faster)).as("%s (%.0f GB/s) vs %s (%.0f GB/s)", faster, a.bandwidthGBs(), slower, b.bandwidthGBs())
              .isGreaterThan(medians.get(slower));
          compared++;
        }
      }
    }
    assertThat(compared).isGreaterThanOrEqualTo(2);
  }

  @Test
  void concurrencySweepsShowAggregateRisingAndPerUserFalling() {
    List<BenchmarkReport> anchors = REPORTS.stream().filter(r -> r.getSettings().getConcurrency() == 2).toList();
    assertThat(anchors).hasSizeGreaterThanOrEqualTo(20);
    assertThat(REPORTS).allMatch(r -> DemoFleet.SWEEP.contains(r.getSettings().getConcurrency()));
    for (BenchmarkReport anchor : anchors) {
      // One sweep is one sitting: the same rig, model and context, minutes apart.
      List<BenchmarkReport> sweep = REPORTS.stream()
          .filter(r -> shape(r).equals(shape(anchor)))
          .filter(r -> Duration.between(r.getMeasuredAt(), anchor.getMeasuredAt()).abs().compareTo(Duration.ofMinutes(5)) <= 0)
          .toList();
      double previousPerUser = Double.MAX_VALUE;
      double previousAggregate = 0;
      for (int users : DemoFleet.SWEEP) {
        List<BenchmarkReport> level = sweep.stream().filter(r -> r.getSettings().getConcurrency() == users).toList();
        assertThat(level).as("%s at %d users", shape(anchor), users).isNotEmpty();
        double perUser = median(level, DemoFleetTest::rate);
        double aggregate = users == 1 ? perUser : median(level, r -> r.getSummary().getAggregateTokensPerSecond());
        assertThat(perUser).as("per-user tok/s of %s at %d users", shape(anchor), users).isLessThan(previousPerUser);
        assertThat(aggregate).as("aggregate tok/s of %s at %d users", shape(anchor), users).isGreaterThan(previousAggregate);
        previousPerUser = perUser;
        previousAggregate = aggregate;
      }
    }
  }

  @Test
  void observedVramIsWeightsPlusKvCachePlusRuntimeOverhead() {
    List<BenchmarkReport> ollama = REPORTS.stream().filter(r -> r.getRuntime().getName().equals("ollama") && !r.getFlags().getPartialOffload()).toList();
    assertThat(ollama).isNotEmpty();
    for (BenchmarkReport r : ollama) {
      Architecture a = r.getModel().getArchitecture();
      long kvCache = 2L * a.getBlockCount() * a.getAttentionHeadCountKv() * a.getKeyLength() * 2 * r.getSettings().getContextLength();
      long overhead = r.getMemory().getVramUsedBytes() - r.getModel().getFileSizeBytes() - kvCache;
      assertThat(overhead).as(r.getModel().getName()).isBetween(400_000_000L, 700_000_000L);
    }
    // llama-server and LM Studio do not say, and neither does the agent then.
    assertThat(REPORTS).anyMatch(r -> r.getMemory().getVramUsedBytes() == null);
  }

  @Test
  void everyOutlierIsRejectedForTheIntendedReason() {
    List<DemoFleet.Outlier> outliers = new DemoFleet(42, CLOCK).outliers();
    Map<String, Long> kinds = outliers.stream().collect(Collectors.groupingBy(DemoFleet.Outlier::expectedReason, Collectors.counting()));
    assertThat(kinds.get(Rejection.ABOVE_PHYSICAL_BOUND)).isGreaterThanOrEqualTo(3);
    assertThat(kinds.get(Rejection.SUMMARY_MISMATCH)).isGreaterThanOrEqualTo(3);
    for (DemoFleet.Outlier outlier : outliers) {
      assertThat(validator.check(outlier.report(), NOW.toEpochMilli()).map(Rejection::reasonCode))
          .as(outlier.description()).hasValue(outlier.expectedReason());
      if (outlier.expectedReason().equals(Rejection.ABOVE_PHYSICAL_BOUND)) {
        BenchmarkReport r = outlier.report();
        double bound = Normalization.catalogGpu(r.getHardware().getGpus().get(0)).orElseThrow().bandwidthBytesPerSecond() / r.getModel().getFileSizeBytes();
        assertThat(rate(r)).as(outlier.description()).isGreaterThan(3 * bound);
      }
    }
  }

  @Test
  void malformedPayloadsCannotBeDecoded() {
    List<DemoFleet.Malformed> malformed = new DemoFleet(42, CLOCK).malformed(SCHEMA_ID);
    assertThat(malformed.stream().map(DemoFleet.Malformed::expectedReason).toList()).contains(Rejection.UNDECODABLE, Rejection.UNKNOWN_SCHEMA_ID);
    for (DemoFleet.Malformed payload : malformed) {
      assertThat(decodable(payload.payload())).as(payload.description()).isFalse();
    }
    // Not vacuous: a good report framed the same way decodes to itself.
    assertThat(decodable(DemoFleet.frame(SCHEMA_ID, DemoFleet.avroBody(REPORTS.get(0))))).isTrue();
  }

  @Test
  void liveReportsComeFromTheFleetAndAreFresh() {
    Set<UUID> rigs = REPORTS.stream().map(BenchmarkReport::getRigId).collect(Collectors.toSet());
    Set<UUID> reportIds = REPORTS.stream().map(BenchmarkReport::getReportId).collect(Collectors.toSet());
    DemoFleet fleet = new DemoFleet(42, CLOCK); // the default fleet is the 300-rig fleet of the same seed
    List<BenchmarkReport> live = IntStream.range(0, 20).mapToObj(i -> fleet.nextLiveReport()).toList();
    for (BenchmarkReport report : live) {
      assertThat(validator.check(report, NOW.toEpochMilli())).isEmpty();
      assertThat(rigs).contains(report.getRigId());
      assertThat(reportIds).doesNotContain(report.getReportId());
      assertThat(report.getMeasuredAt()).isBetween(NOW.minus(Duration.ofMinutes(1)), NOW);
    }
    assertThat(live.stream().map(BenchmarkReport::getReportId).distinct().count()).isEqualTo(20);
  }

  @Test
  void reportsCarryNothingThatIdentifiesAMachineOrPerson() {
    Pattern ipv4 = Pattern.compile("\\b\\d{1,3}(\\.\\d{1,3}){3}\\b");
    Pattern mac = Pattern.compile("(?i)\\b[0-9a-f]{2}(:[0-9a-f]{2}){5}\\b");
    for (BenchmarkReport report : REPORTS) {
      String text = report.toString();
      assertThat(ipv4.matcher(text).find()).as(text).isFalse();
      assertThat(mac.matcher(text).find()).as(text).isFalse();
    }
  }

  /** What the aggregator's deserializer would make of a payload, with SCHEMA_ID the only registered id. */
  private static boolean decodable(byte[] payload) {
    try {
      if (WireFormat.schemaId(payload) != SCHEMA_ID) {
        return false;
      }
      BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(payload, WireFormat.HEADER_SIZE, payload.length - WireFormat.HEADER_SIZE, null);
      new SpecificDatumReader<>(BenchmarkReport.class).read(null, decoder);
      return decoder.isEnd();
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private static String shape(BenchmarkReport r) {
    return r.getRigId() + "/" + r.getModel().getName() + "@" + r.getSettings().getContextLength();
  }

  private static double rate(BenchmarkReport r) {
    return ReportValidator.medianGenerationRate(r.getRepetitions());
  }

  private static double median(List<BenchmarkReport> reports, ToDoubleFunction<BenchmarkReport> value) {
    return OrderStatistics.median(reports.stream().mapToDouble(value).toArray());
  }

  private static long rigs(List<BenchmarkReport> reports) {
    return reports.stream().map(BenchmarkReport::getRigId).distinct().count();
  }

  private static List<String> hex(List<DemoFleet.Malformed> malformed) {
    return malformed.stream().map(m -> HexFormat.of().formatHex(m.payload())).toList();
  }
}
