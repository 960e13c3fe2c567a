package io.tokbench.aggregator.aggregate;

import io.tokbench.aggregator.state.ReportSample;
import io.tokbench.aggregator.state.RigContribution;
import io.tokbench.aggregator.state.RigSummary;
import io.tokbench.normalize.OrderStatistics;
import java.util.List;
import java.util.function.Function;

/** What a rig's window of samples contributes to its row: its own medians and its latest setup. */
public final class RigSummaries {
  private RigSummaries() {}

  public static RigSummary of(RigContribution window) {
    List<ReportSample> samples = window.getSamples();
    ReportSample latest = samples.get(samples.size() - 1);
    return RigSummary.newBuilder()
        .setGenerationTokensPerSecond(OrderStatistics.median(samples.stream().mapToDouble(ReportSample::getGenerationTokensPerSecond).toArray()))
        .setPromptTokensPerSecond(medianOf(samples, ReportSample::getPromptTokensPerSecond))
        .setTimeToFirstTokenMillis(medianOf(samples, ReportSample::getTimeToFirstTokenMillis))
        .setReportCount(window.getReportCount())
        .setFirstReportAt(window.getFirstReportAt())
        .setLastReportAt(window.getLastReportAt())
        .setOs(latest.getOs())
        .setRuntimeVersion(latest.getRuntimeVersion())
        .setBackend(latest.getBackend())
        .setFileSizeBytes(latest.getFileSizeBytes())
        .setParameterCount(latest.getParameterCount())
        .setKvCacheBytesPerToken(latest.getKvCacheBytesPerToken())
        .setVramUsedBytes(latest.getVramUsedBytes())
        .setAggregateTokensPerSecond(latest.getAggregateTokensPerSecond())
        .setExpertCount(latest.getExpertCount())
        .setExpertUsedCount(latest.getExpertUsedCount())
        .setAttentionWidth(latest.getAttentionWidth())
        .setBlockCount(latest.getBlockCount())
        .build();
  }

  private static Double medianOf(List<ReportSample> samples, Function<ReportSample, Double> field) {
    return OrderStatistics.medianOrNull(samples.stream().map(field));
  }
}
