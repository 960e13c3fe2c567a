package io.tokbench.aggregator.validate;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokbench.aggregator.support.AggregatorDriver;
import io.tokbench.aggregator.support.TestReports;
import io.tokbench.schema.BenchmarkReport;
import io.tokbench.schema.ImportFormat;
import io.tokbench.schema.ImportTool;
import io.tokbench.schema.ImportedFrom;
import io.tokbench.schema.Repetition;
import io.tokbench.schema.Settings;
import io.tokbench.schema.StatsKey;
import io.tokbench.schema.StatsRow;
import io.tokbench.schema.Summary;
import io.tokbench.testkit.KafkaStack;
import io.tokbench.testkit.WithKafkaStack;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A llama-bench result imported on a rig and the probe's measurement of the same model on the same
 * GPU measure different things (tg128 at depth 0, generation after a 512-token prompt): both are
 * accepted, and they form two rows that differ only in their suite.
 */
@WithKafkaStack
class ImportedReportsTopologyTest {
  private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");
  private final KafkaStack stack;
  @TempDir Path stateDir;

  ImportedReportsTopologyTest(KafkaStack stack) {
    this.stack = stack;
  }

  @Test
  void importedAndProbedMeasurementsOfOneSetupStayInSeparateRows() {
    UUID rig = UUID.randomUUID();
    BenchmarkReport probed = TestReports.at(rig, 100, NOW.minusSeconds(60));
    BenchmarkReport importedRun = TestReports.at(rig, 130, NOW.minusSeconds(60));
    // llama-bench times pp512 apart from tg128: the repetitions are tg's, the prompt rate is in the summary only.
    BenchmarkReport imported = BenchmarkReport.newBuilder(importedRun)
        .setRepetitions(importedRun.getRepetitions().stream()
            .map(r -> Repetition.newBuilder(r).setPromptTokens(0).setPromptDurationNanos(null).setTimeToFirstTokenNanos(null).build()).toList())
        .setSummary(Summary.newBuilder(importedRun.getSummary()).setPromptTokensPerSecondMedian(4321.0).build())
        .setSuiteId("llama-bench-pp512-tg128")
        .setSettings(Settings.newBuilder(probed.getSettings()).setGenerationDepthTokens(0).build())
        .setImportedFrom(ImportedFrom.newBuilder().setTool(ImportTool.LLAMA_BENCH).setFormat(ImportFormat.JSON).setSamples(true).setHardwareDetected(true).build())
        .build();
    try (AggregatorDriver driver = new AggregatorDriver(stack, stateDir, NOW)) {
      driver.publish(probed, imported);
      Map<StatsKey, StatsRow> rows = driver.statsTopic();
      assertThat(driver.rejected()).isEmpty();
      String model = rows.values().stream().filter(r -> r.getKey().getSuiteId().startsWith("llama-bench-")).findFirst().orElseThrow().getKey().getModel();
      List<StatsRow> ofRig = rows.values().stream().filter(r -> r.getKey().getModel().equals(model)).toList();
      assertThat(ofRig).extracting(r -> r.getKey().getSuiteId()).containsExactlyInAnyOrder(probed.getSuiteId(), "llama-bench-pp512-tg128");
      StatsRow importedRow = ofRig.stream().filter(r -> r.getKey().getSuiteId().startsWith("llama-bench-")).findFirst().orElseThrow();
      StatsRow probedRow = ofRig.stream().filter(r -> r.getKey().getSuiteId().equals(probed.getSuiteId())).findFirst().orElseThrow();
      assertThat(importedRow.getKey()).usingRecursiveComparison().ignoringFields("suiteId").isEqualTo(probedRow.getKey());
      assertThat(importedRow.getGenerationTokensPerSecond().getMedian()).isCloseTo(130, org.assertj.core.data.Offset.offset(0.5));
      assertThat(probedRow.getGenerationTokensPerSecond().getMedian()).isCloseTo(100, org.assertj.core.data.Offset.offset(0.5));
      assertThat(importedRow.getPromptTokensPerSecond()).as("the imported pp test's rate, from the summary").isNotNull();
      assertThat(importedRow.getPromptTokensPerSecond().getMedian()).isEqualTo(4321.0);
      assertThat(probedRow.getPromptTokensPerSecond().getMedian()).as("the probe's, recomputed from its repetitions").isNotEqualTo(4321.0);
    }
  }
}
