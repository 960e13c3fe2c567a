package io.tokbench.aggregator.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.tokbench.aggregator.estimate.ActiveShare;
import io.tokbench.aggregator.support.AggregatorDriver;
import io.tokbench.aggregator.support.TestReports;
import io.tokbench.aggregator.validate.Rejection;
import io.tokbench.catalog.ModelCatalog;
import io.tokbench.normalize.OrderStatistics;
import io.tokbench.schema.Architecture;
import io.tokbench.schema.Backend;
import io.tokbench.schema.BenchmarkReport;
import io.tokbench.schema.CommunityRow;
import io.tokbench.schema.Model;
import io.tokbench.schema.ModelFacts;
import io.tokbench.schema.OffloadClass;
import io.tokbench.schema.ProbeFlags;
import io.tokbench.schema.RejectedReport;
import io.tokbench.schema.Repetition;
import io.tokbench.schema.Retraction;
import io.tokbench.schema.Settings;
import io.tokbench.schema.StatsKey;
import io.tokbench.schema.StatsRow;
import io.tokbench.schema.Summary;
import io.tokbench.testkit.KafkaStack;
import io.tokbench.testkit.WithKafkaStack;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole topology in TopologyTestDriver, with the real serde and registry. */
@WithKafkaStack
class AggregatorTopologyTest {
  private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");
  private final KafkaStack stack;
  @TempDir Path stateDir;
  private AggregatorDriver driver;

  AggregatorTopologyTest(KafkaStack stack) {
    this.stack = stack;
  }

  @BeforeEach
  void start() {
    driver = new AggregatorDriver(stack, stateDir, NOW);
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  private static BenchmarkReport report(UUID rig, double tps) {
    return TestReports.at(rig, tps, NOW.minusSeconds(60));
  }

  private StatsRow onlyRow() {
    Map<StatsKey, StatsRow> rows = driver.statsTopic();
    assertThat(rows).hasSize(1);
    return rows.values().iterator().next();
  }

  // ---- validation: every reason code, and the stream keeps going ----

  private RejectedReport rejectedOnly(BenchmarkReport bad) {
    driver.publish(bad);
    List<RejectedReport> rejected = driver.rejected();
    assertThat(rejected).hasSize(1);
    assertThat(driver.statsTopic()).isEmpty();
    return rejected.get(0);
  }

  @Test
  void randomBytesAreRejectedAsUndecodableWithTheirOriginAndTheStreamGoesOn() {
    byte[] poison = new byte[64];
    new Random(1).nextBytes(poison);
    poison[0] = 7;
    driver.publishRaw(poison);
    driver.publish(report(UUID.randomUUID(), 80));

    List<RejectedReport> rejected = driver.rejected();
    assertThat(rejected).singleElement().satisfies(r -> {
      assertThat(r.getReasonCode()).isEqualTo(Rejection.UNDECODABLE);
      assertThat(r.getOriginalValue()).isEqualTo(ByteBuffer.wrap(poison));
      assertThat(r.getSourceTopic()).isEqualTo(Topics.REPORTS);
      assertThat(r.getSourceOffset()).isZero();
      assertThat(r.getMessage()).contains("magic byte");
    });
    assertThat(onlyRow().getRigCount()).isEqualTo(1);
  }

  @Test
  void anUnknownSchemaIdIsItsOwnReason() {
    driver.publishRaw(ByteBuffer.allocate(12).put((byte) 0).putInt(987_654).putInt(1).array());
    assertThat(driver.rejected()).singleElement().satisfies(r -> assertThat(r.getReasonCode()).isEqualTo(Rejection.UNKNOWN_SCHEMA_ID));
  }

  @Test
  void aReportWithoutRepetitionsIsMissingAField() {
    BenchmarkReport bad = BenchmarkReport.newBuilder(report(UUID.randomUUID(), 80)).setRepetitions(List.of()).build();
    assertThat(rejectedOnly(bad).getReasonCode()).isEqualTo(Rejection.MISSING_FIELD);
  }

  @Test
  void aNonFiniteRateIsRejected() {
    BenchmarkReport good = report(UUID.randomUUID(), 80);
    BenchmarkReport bad = BenchmarkReport.newBuilder(good)
        .setSummary(Summary.newBuilder(good.getSummary()).setGenerationTokensPerSecondMax(Double.POSITIVE_INFINITY).build()).build();
    RejectedReport rejected = rejectedOnly(bad);
    assertThat(rejected.getReasonCode()).isEqualTo(Rejection.NON_FINITE_RATE);
    assertThat(rejected.getMessage()).contains("generationTokensPerSecondMax");
  }

  @Test
  void durationsThatDisagreeWithTokenCountsAreRejected() {
    BenchmarkReport good = report(UUID.randomUUID(), 80);
    List<Repetition> reps = new ArrayList<>(good.getRepetitions());
    reps.set(1, Repetition.newBuilder(reps.get(1)).setGenerationDurationNanos(1_000L).build());
    BenchmarkReport bad = BenchmarkReport.newBuilder(good).setRepetitions(reps).build();
    RejectedReport rejected = rejectedOnly(bad);
    assertThat(rejected.getReasonCode()).isEqualTo(Rejection.DURATION_MISMATCH);
    assertThat(rejected.getMessage()).contains("repetitions[1]");
  }

  @Test
  void aSummaryThatDisagreesWithItsRepetitionsIsRejected() {
    BenchmarkReport good = report(UUID.randomUUID(), 80);
    BenchmarkReport bad = BenchmarkReport.newBuilder(good)
        .setSummary(Summary.newBuilder(good.getSummary()).setGenerationTokensPerSecondMedian(120.0).build()).build();
    RejectedReport rejected = rejectedOnly(bad);
    assertThat(rejected.getReasonCode()).isEqualTo(Rejection.SUMMARY_MISMATCH);
    assertThat(rejected.getMessage()).contains("120.000").contains("80.000");
  }

  @Test
  void measuredInTheFutureOrLongAgoIsRejected() {
    BenchmarkReport future = BenchmarkReport.newBuilder(report(UUID.randomUUID(), 80)).setMeasuredAt(NOW.plus(Duration.ofHours(2))).build();
    assertThat(rejectedOnly(future).getReasonCode()).isEqualTo(Rejection.FUTURE_TIMESTAMP);
    BenchmarkReport old = BenchmarkReport.newBuilder(report(UUID.randomUUID(), 80)).setMeasuredAt(NOW.minus(Duration.ofDays(400))).build();
    assertThat(rejectedOnly(old).getReasonCode()).isEqualTo(Rejection.TOO_OLD);
  }

  @Test
  void aRateAboveTheBandwidthBoundIsRejectedButNotForAMultiGpuRig() {
    // RTX 4090: 1008 GB/s; the sample model's weights are 4.92 GB → at most ~205 tok/s, margin 2×.
    BenchmarkReport impossible = report(UUID.randomUUID(), 900);
    RejectedReport rejected = rejectedOnly(impossible);
    assertThat(rejected.getReasonCode()).isEqualTo(Rejection.ABOVE_PHYSICAL_BOUND);
    assertThat(rejected.getMessage()).contains("nvidia-rtx-4090").contains("1008 GB/s");

    BenchmarkReport eightGpus = BenchmarkReport.newBuilder(report(UUID.randomUUID(), 900))
        .setSettings(Settings.newBuilder(impossible.getSettings()).setGpusUsed(8).build()).build();
    driver.publish(eightGpus);
    assertThat(driver.rejected()).isEmpty();
    assertThat(onlyRow().getKey().getGpuCount()).isEqualTo(8);
  }

  // ---- de-duplication ----

  @Test
  void aResentReportCountsOnce() {
    BenchmarkReport report = report(UUID.randomUUID(), 80);
    driver.publish(report, report, report);
    assertThat(onlyRow().getReportCount()).isEqualTo(1);
  }

  // ---- normalization ----

  @Test
  void contextSizesFallIntoBucketsAndEachBucketIsItsOwnRow() {
    UUID rig = UUID.randomUUID();
    BenchmarkReport base = report(rig, 80);
    driver.publish(
        BenchmarkReport.newBuilder(TestReports.withRate(base, 80)).setSettings(Settings.newBuilder(base.getSettings()).setContextLength(8192).build()).build(),
        BenchmarkReport.newBuilder(TestReports.withRate(base, 80)).setSettings(Settings.newBuilder(base.getSettings()).setContextLength(10_000).build()).build(),
        BenchmarkReport.newBuilder(TestReports.withRate(base, 60)).setSettings(Settings.newBuilder(base.getSettings()).setContextLength(32768).build()).build());
    assertThat(driver.statsTopic().keySet()).extracting(StatsKey::getContextBucket).containsExactlyInAnyOrder(8192, 32768);
  }

  @Test
  void fullGpuAndCpuGpuSplitNumbersAreNeverMixed() {
    BenchmarkReport full = report(UUID.randomUUID(), 80);
    BenchmarkReport split = TestReports.withRate(BenchmarkReport.newBuilder(report(UUID.randomUUID(), 20))
        .setSettings(Settings.newBuilder(full.getSettings()).setGpuOffloadFraction(0.55).build())
        .setFlags(ProbeFlags.newBuilder().setPartialOffload(true).build()).build(), 20);
    BenchmarkReport cpu = TestReports.withRate(BenchmarkReport.newBuilder(report(UUID.randomUUID(), 8))
        .setSettings(Settings.newBuilder(full.getSettings()).setGpuOffloadFraction(0.0).build())
        .setRuntime(io.tokbench.schema.Runtime.newBuilder(full.getRuntime()).setBackend(Backend.CPU).build()).build(), 8);
    driver.publish(full, split, cpu);

    Map<StatsKey, StatsRow> rows = driver.statsTopic();
    assertThat(rows).hasSize(3);
    assertThat(rows.keySet()).extracting(StatsKey::getOffloadClass)
        .containsExactlyInAnyOrder(OffloadClass.FULL_GPU, OffloadClass.PARTIAL_OFFLOAD, OffloadClass.CPU_ONLY);
    assertThat(rows.keySet()).filteredOn(k -> k.getOffloadClass() == OffloadClass.CPU_ONLY)
        .singleElement().satisfies(k -> assertThat(k.getGpu()).isEqualTo("cpu"));
  }

  @Test
  void quantizationAndRuntimeSpellingsMeetInOneRow() {
    BenchmarkReport upper = report(UUID.randomUUID(), 80);
    BenchmarkReport lower = BenchmarkReport.newBuilder(report(UUID.randomUUID(), 90))
        .setModel(io.tokbench.schema.Model.newBuilder(upper.getModel()).setQuantization("q4_K_M").build()).build();
    driver.publish(upper, lower);
    StatsRow row = onlyRow();
    assertThat(row.getKey().getQuantization()).isEqualTo("Q4_K_M");
    assertThat(row.getRigCount()).isEqualTo(2);
  }

  // ---- aggregation ----

  @Test
  void oneRigSendingAThousandReportsDoesNotMoveTheMedian() {
    for (int rig = 0; rig < 5; rig++) {
      driver.publish(report(UUID.randomUUID(), 50 + rig));
    }
    double before = onlyRow().getGenerationTokensPerSecond().getMedian();
    UUID flooder = UUID.randomUUID();
    for (int i = 0; i < 1000; i++) {
      driver.publish(TestReports.at(flooder, 190, NOW.minusSeconds(3600 - i)));
    }
    StatsRow after = onlyRow();
    assertThat(before).isCloseTo(52.0, within(1e-6));
    assertThat(after.getRigCount()).isEqualTo(6);
    assertThat(after.getReportCount()).isEqualTo(1005);
    // Six rigs: 50, 51, 52, 53, 54 and the flooder's own median 190 → median (52 + 53) / 2.
    assertThat(after.getGenerationTokensPerSecond().getMedian()).isCloseTo(52.5, within(1e-6));
  }

  @Test
  void percentilesAreExactAgainstABruteForceComputation() {
    Random random = new Random(42);
    Map<UUID, List<Double>> samples = new java.util.HashMap<>();
    for (int i = 0; i < 400; i++) {
      UUID rig = samples.size() < 60 && random.nextInt(3) == 0 || samples.isEmpty()
          ? UUID.randomUUID() : new ArrayList<>(samples.keySet()).get(random.nextInt(samples.size()));
      double tps = Math.round((20 + random.nextDouble() * 150) * 1000) / 1000.0;
      BenchmarkReport report = TestReports.at(rig, tps, NOW.minusSeconds(10_000 - i));
      samples.computeIfAbsent(rig, r -> new ArrayList<>()).add(report.getSummary().getGenerationTokensPerSecondMedian());
      driver.publish(report);
    }
    double[] rigMedians = samples.values().stream()
        .mapToDouble(v -> OrderStatistics.median(v.stream().mapToDouble(Double::doubleValue).toArray())).sorted().toArray();

    StatsRow row = onlyRow();
    assertThat(row.getRigCount()).isEqualTo(samples.size());
    assertThat(row.getGenerationTokensPerSecond().getP10()).isCloseTo(OrderStatistics.percentile(rigMedians, 10), within(1e-6));
    assertThat(row.getGenerationTokensPerSecond().getP25()).isCloseTo(OrderStatistics.percentile(rigMedians, 25), within(1e-6));
    assertThat(row.getGenerationTokensPerSecond().getMedian()).isCloseTo(OrderStatistics.percentile(rigMedians, 50), within(1e-6));
    assertThat(row.getGenerationTokensPerSecond().getP75()).isCloseTo(OrderStatistics.percentile(rigMedians, 75), within(1e-6));
    assertThat(row.getGenerationTokensPerSecond().getP90()).isCloseTo(OrderStatistics.percentile(rigMedians, 90), within(1e-6));
  }

  @Test
  void theRowCarriesCountsTimesAndTheTypicalSetup() {
    UUID rig = UUID.randomUUID();
    driver.publish(TestReports.at(rig, 80, NOW.minusSeconds(600)), TestReports.at(rig, 82, NOW.minusSeconds(300)), report(UUID.randomUUID(), 90));
    StatsRow row = onlyRow();
    assertThat(row.getReportCount()).isEqualTo(3);
    assertThat(row.getRigCount()).isEqualTo(2);
    assertThat(row.getFirstReportAt()).isEqualTo(NOW.minusSeconds(600));
    assertThat(row.getLastReportAt()).isEqualTo(NOW.minusSeconds(60));
    assertThat(row.getTypicalSetup().getOs()).isEqualTo("linux");
    assertThat(row.getTypicalSetup().getBackend()).isEqualTo("CUDA");
    assertThat(row.getPromptTokensPerSecond().getMedian()).isCloseTo(3200.0, within(1e-6));
  }

  /**
   * A mixture the model catalog lacks is known as one only through the runtime's metadata: the
   * expert counts and the attention width reach the row's model facts (median over the rigs whose
   * latest report carries them), so the estimator reads it with its active share, not as dense.
   */
  @Test
  void theRowCarriesTheReportedExpertCountsAttentionWidthAndLayers() {
    Architecture moe = Architecture.newBuilder().setBlockCount(48).setAttentionHeadCount(32).setAttentionHeadCountKv(4).setEmbeddingLength(2048)
        .setKeyLength(128).setExpertCount(128).setExpertUsedCount(8).build();
    // The same shape without a key length: the head size is then hidden size / heads.
    Architecture moeWithoutKeyLength = Architecture.newBuilder(moe).setKeyLength(null).setEmbeddingLength(4096).build();
    UUID changing = UUID.randomUUID();
    driver.publish(
        withArchitecture(TestReports.at(changing, 80, NOW.minusSeconds(600)), Architecture.newBuilder(moe).setExpertUsedCount(2).setBlockCount(24).build()),
        withArchitecture(TestReports.at(changing, 82, NOW.minusSeconds(300)), moe),
        withArchitecture(report(UUID.randomUUID(), 90), moeWithoutKeyLength),
        withArchitecture(report(UUID.randomUUID(), 85), null));
    StatsRow row = onlyRow();
    assertThat(row.getRigCount()).isEqualTo(3);
    ModelFacts facts = row.getModelFacts();
    assertThat(facts.getExpertCount()).isEqualTo(128);
    assertThat(facts.getExpertUsedCount()).as("each rig's latest report counts, not its earlier one").isEqualTo(8);
    assertThat(facts.getAttentionWidth()).isEqualTo(48L * 32 * 128);
    assertThat(facts.getKvCacheBytesPerToken()).isEqualTo(48L * 4 * 128 * 2 * 2);
    assertThat(facts.getBlockCount()).as("layers: the generation overhead is paid once per layer").isEqualTo(48);
    assertThat(ActiveShare.of(row.getKey().getModel(), facts, ModelCatalog.shared())).as("active share of a mixture the catalog lacks")
        .isCloseTo(1 - 0.95 + 0.95 * 8 / 128, within(1e-9));
  }

  @Test
  void aDenseModelsRowHasAnAttentionWidthAndNoExperts() {
    driver.publish(report(UUID.randomUUID(), 90));
    ModelFacts facts = onlyRow().getModelFacts();
    assertThat(facts.getExpertCount()).isNull();
    assertThat(facts.getExpertUsedCount()).isNull();
    assertThat(facts.getAttentionWidth()).as("32 layers x 32 heads x 4096 / 32").isEqualTo(32L * 4096);
  }

  private static BenchmarkReport withArchitecture(BenchmarkReport report, Architecture architecture) {
    return TestReports.forModel(BenchmarkReport.newBuilder(report)
        .setModel(Model.newBuilder(report.getModel()).setArchitecture(architecture).build()).build(), "made-up-moe-30b-a3b");
  }

  // ---- retraction ----

  @Test
  void retractingARigRemovesEveryContributionAndUpdatesTheMedian() {
    UUID abuser = UUID.randomUUID();
    driver.publish(report(UUID.randomUUID(), 50), report(UUID.randomUUID(), 60), report(abuser, 190));
    assertThat(onlyRow().getGenerationTokensPerSecond().getMedian()).isCloseTo(60.0, within(1e-6));

    driver.retract(Retraction.newBuilder().setRigId(abuser).setReason("abuse").setRequestedAt(NOW).build());
    StatsRow after = onlyRow();
    assertThat(after.getRigCount()).isEqualTo(2);
    assertThat(after.getGenerationTokensPerSecond().getMedian()).isCloseTo(55.0, within(1e-6));
  }

  @Test
  void retractingTheLastRigOfARowTombstonesIt() {
    UUID rig = UUID.randomUUID();
    driver.publish(report(rig, 70));
    driver.statsTopic();
    driver.retract(Retraction.newBuilder().setRigId(rig).setReason("owner request").setRequestedAt(NOW).build());
    Map<StatsKey, StatsRow> rows = driver.statsTopic();
    assertThat(rows).hasSize(1).containsValue(null);
    assertThat(driver.statsStore().approximateNumEntries()).isZero();
  }

  @Test
  void oneReportCanBeDroppedById() {
    UUID rig = UUID.randomUUID();
    BenchmarkReport keep = TestReports.at(rig, 60, NOW.minusSeconds(120));
    BenchmarkReport drop = TestReports.at(rig, 100, NOW.minusSeconds(60));
    driver.publish(keep, drop);
    assertThat(onlyRow().getGenerationTokensPerSecond().getMedian()).isCloseTo(80.0, within(1e-6));

    driver.retract(Retraction.newBuilder().setReportId(drop.getReportId()).setReason("bad run").setRequestedAt(NOW).build());
    StatsRow after = onlyRow();
    assertThat(after.getReportCount()).isEqualTo(1);
    assertThat(after.getGenerationTokensPerSecond().getMedian()).isCloseTo(60.0, within(1e-6));
  }

  @Test
  void aRetractedRigStaysRetracted_itsLaterReportsAreRefused() {
    UUID abuser = UUID.randomUUID();
    driver.publish(report(UUID.randomUUID(), 50), report(abuser, 190));
    driver.retract(Retraction.newBuilder().setRigId(abuser).setReason("abuse").setRequestedAt(NOW).build());
    driver.rejected();

    driver.publish(report(abuser, 200), report(abuser, 210));
    StatsRow row = onlyRow();
    assertThat(row.getRigCount()).isEqualTo(1);
    assertThat(row.getGenerationTokensPerSecond().getMedian()).isCloseTo(50.0, within(1e-6));
    assertThat(driver.rejected()).hasSize(2).allSatisfy(r -> {
      assertThat(r.getReasonCode()).isEqualTo(Rejection.RETRACTED);
      assertThat(r.getMessage()).contains(abuser.toString()).contains("retracted");
      assertThat(r.getSourceTopic()).isEqualTo(Topics.REPORTS);
    });
  }

  @Test
  void aReportRetractedBeforeItArrivesIsRefusedWhenItComes() {
    UUID rig = UUID.randomUUID();
    BenchmarkReport spooled = TestReports.at(rig, 300, NOW.minusSeconds(90));
    driver.retract(Retraction.newBuilder().setReportId(spooled.getReportId()).setReason("known bad run").setRequestedAt(NOW).build());
    driver.publish(report(UUID.randomUUID(), 70), spooled);

    StatsRow row = onlyRow();
    assertThat(row.getRigCount()).isEqualTo(1);
    assertThat(row.getGenerationTokensPerSecond().getMedian()).isCloseTo(70.0, within(1e-6));
    assertThat(driver.rejected()).singleElement().satisfies(r -> assertThat(r.getReasonCode()).isEqualTo(Rejection.RETRACTED));
  }

  @Test
  void liftingARetractionLetsTheRigsLaterReportsCountAgain() {
    UUID rig = UUID.randomUUID();
    driver.publish(report(rig, 90));
    driver.retract(Retraction.newBuilder().setRigId(rig).setReason("mistake").setRequestedAt(NOW).build());
    driver.retract(Retraction.newBuilder().setRigId(rig).setReason("mistake").setRequestedAt(NOW).setLifted(true).build());
    driver.statsTopic();

    driver.publish(report(rig, 95));
    StatsRow row = onlyRow();
    assertThat(row.getRigCount()).isEqualTo(1);
    assertThat(row.getReportCount()).as("the withdrawn report stays withdrawn").isEqualTo(1);
    assertThat(row.getGenerationTokensPerSecond().getMedian()).isCloseTo(95.0, within(1e-6));
  }

  @Test
  void aRigOpensNoMoreRowsThanItsCap() {
    driver.close();
    driver = new AggregatorDriver(stack, stateDir.resolve("capped"), NOW, AggregatorTopology.Settings.DEFAULT.withMaxRowsPerRig(3));
    UUID rig = UUID.randomUUID();
    for (int i = 0; i < 5; i++) {
      driver.publish(TestReports.forModel(report(rig, 80), "made-up-model-" + i));
    }
    assertThat(driver.statsTopic()).hasSize(3);
    assertThat(driver.rejected()).hasSize(2).allSatisfy(r -> assertThat(r.getReasonCode()).isEqualTo(Rejection.RIG_ROW_LIMIT));
    driver.publish(TestReports.forModel(report(rig, 85), "made-up-model-0"));
    assertThat(driver.rejected()).as("rows it already has still take its reports").isEmpty();
  }

  // ---- community roll-up ----

  @Test
  void theCommunityRowShowsEachGpusBestSupportedSetup() {
    BenchmarkReport base = report(UUID.randomUUID(), 88);
    // Two rigs at 8K context, one at 32K: the 8K setup is the best supported.
    driver.publish(base, report(UUID.randomUUID(), 90),
        BenchmarkReport.newBuilder(report(UUID.randomUUID(), 70)).setSettings(Settings.newBuilder(base.getSettings()).setContextLength(32768).build()).build());

    Map<String, CommunityRow> community = driver.communityTopic();
    CommunityRow row = community.values().stream().filter(r -> r != null).reduce((a, b) -> b).orElseThrow();
    assertThat(community.keySet()).allSatisfy(k -> assertThat(k).endsWith("|nvidia-rtx-4090|1"));
    assertThat(row.getRigCount()).isEqualTo(2);
    assertThat(row.getMedianTokensPerSecond()).isCloseTo(89.0, within(1e-6));
    assertThat(row.getTypicalSetup()).isEqualTo("Q4_K_M · Ollama · Linux · 8K ctx");
    assertThat(row.getContextBucket()).isEqualTo(8192);
  }
}
