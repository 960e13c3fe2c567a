package io.tokbench.aggregator.normalize;

import io.tokbench.aggregator.state.ContributionEvent;
import io.tokbench.aggregator.state.ReportSample;
import io.tokbench.aggregator.validate.ReportValidator;
import io.tokbench.normalize.ModelShape;
import io.tokbench.normalize.Normalization;
import io.tokbench.normalize.OrderStatistics;
import io.tokbench.schema.Architecture;
import io.tokbench.schema.BenchmarkReport;
import io.tokbench.schema.Repetition;
import io.tokbench.schema.StatsKey;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Maps a valid report to its statistics key (canonical model, GPU, quantization, runtime, context
 * bucket, suite, offload class, concurrency) and the sample it contributes, keyed by model for the
 * repartition: every row of one model is then aggregated by one task.
 */
public final class NormalizeProcessor extends ContextualProcessor<String, BenchmarkReport, String, ContributionEvent> {

  @Override
  public void process(Record<String, BenchmarkReport> record) {
    BenchmarkReport report = record.value();
    StatsKey key = Normalization.key(report);
    Optional<RecordMetadata> source = context().recordMetadata();
    ContributionEvent event = ContributionEvent.newBuilder()
        .setStatsKey(StatsKeys.encode(key))
        .setRigId(report.getRigId().toString())
        .setSample(sample(report))
        .setSourcePartition(source.map(m -> m.partition()).orElse(-1))
        .setSourceOffset(source.map(m -> m.offset()).orElse(-1L))
        .build();
    context().forward(record.withKey(key.getModel()).withValue(event));
  }

  public static ReportSample sample(BenchmarkReport report) {
    List<Repetition> reps = report.getRepetitions();
    Architecture architecture = report.getModel().getArchitecture();
    return ReportSample.newBuilder()
        .setReportId(report.getReportId().toString())
        .setMeasuredAt(report.getMeasuredAt().toEpochMilli())
        // The validator checked the summary against these; recompute anyway, it is what we trust.
        .setGenerationTokensPerSecond(ReportValidator.medianGenerationRate(reps))
        .setPromptTokensPerSecond(promptTokensPerSecond(report))
        .setTimeToFirstTokenMillis(OrderStatistics.medianOrNull(reps.stream().map(Repetition::getTimeToFirstTokenNanos).filter(Objects::nonNull)
            .map(ns -> ns / 1e6)))
        .setOs(report.getHardware().getOs().getName())
        .setRuntimeVersion(report.getRuntime().getVersion())
        .setBackend(report.getRuntime().getBackend().name())
        // The estimator's calibration inputs: what the runtime said about the model, and memory.
        .setFileSizeBytes(report.getModel().getFileSizeBytes())
        .setParameterCount(report.getModel().getParameterCount())
        .setKvCacheBytesPerToken(kvCacheBytesPerToken(architecture))
        .setVramUsedBytes(report.getMemory().getVramUsedBytes())
        .setAggregateTokensPerSecond(positiveFinite(report.getSummary().getAggregateTokensPerSecond()))
        // The active share of a mixture the model catalog lacks, and the prompt model's attention term.
        .setExpertCount(architecture == null ? null : architecture.getExpertCount())
        .setExpertUsedCount(architecture == null ? null : architecture.getExpertUsedCount())
        .setAttentionWidth(attentionWidth(architecture))
        .setBlockCount(architecture == null ? null : architecture.getBlockCount())
        .build();
  }

  /**
   * Recomputed from the repetitions' prompt timings. An imported report's repetitions carry none:
   * llama-bench times its pp test apart from its tg test, so the summary's prompt rate (the pp
   * test's median) is all the report has, and without it imported rows would never show or
   * calibrate prompt processing.
   */
  private static Double promptTokensPerSecond(BenchmarkReport report) {
    Double timed = OrderStatistics.medianOrNull(report.getRepetitions().stream()
        .filter(r -> r.getPromptDurationNanos() != null && r.getPromptDurationNanos() > 0 && r.getPromptTokens() > 0)
        .map(r -> r.getPromptTokens() / (r.getPromptDurationNanos() / 1e9)));
    if (timed == null && report.getImportedFrom() != null) {
      return positiveFinite(report.getSummary().getPromptTokensPerSecondMedian());
    }
    return timed;
  }

  private static Long kvCacheBytesPerToken(Architecture architecture) {
    return architecture == null ? null : boxed(ModelShape.kvCacheBytesPerToken(architecture, ModelShape.F16_BYTES));
  }

  private static Long attentionWidth(Architecture architecture) {
    return architecture == null ? null : boxed(ModelShape.attentionWidth(architecture));
  }

  private static Long boxed(OptionalLong value) {
    return value.isPresent() ? value.getAsLong() : null;
  }

  /** Summed throughput of parallel streams is not recomputable from the repetitions; keep it only when sane. */
  private static Double positiveFinite(Double value) {
    return value != null && Double.isFinite(value) && value > 0 ? value : null;
  }
}
