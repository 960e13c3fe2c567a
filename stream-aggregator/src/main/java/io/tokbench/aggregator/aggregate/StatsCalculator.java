package io.tokbench.aggregator.aggregate;

import io.tokbench.aggregator.state.ReportSample;
import io.tokbench.aggregator.state.RigContribution;
import io.tokbench.normalize.OrderStatistics;
import io.tokbench.schema.ModelFacts;
import io.tokbench.schema.Percentiles;
import io.tokbench.schema.StatsKey;
import io.tokbench.schema.StatsRow;
import io.tokbench.schema.TypicalSetup;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * One statistics row from the rigs behind a key. Each rig counts once, with the median of its own
 * samples, so a rig that sends a thousand reports weighs what a rig that sends one does. The
 * percentiles are exact order statistics over the rig medians: no sketch, at any number of rigs.
 */
public final class StatsCalculator {
  private StatsCalculator() {}

  public static StatsRow row(StatsKey key, List<RigContribution> rigs) {
    double[] generation = rigs.stream().mapToDouble(StatsCalculator::rigGenerationMedian).sorted().toArray();
    double[] prompt = rigs.stream().map(r -> medianOf(r.getSamples(), ReportSample::getPromptTokensPerSecond)).filter(Objects::nonNull).mapToDouble(Double::doubleValue).sorted().toArray();
    double[] ttft = rigs.stream().map(r -> medianOf(r.getSamples(), ReportSample::getTimeToFirstTokenMillis)).filter(Objects::nonNull).mapToDouble(Double::doubleValue).sorted().toArray();
    List<ReportSample> latestPerRig = rigs.stream().map(r -> r.getSamples().get(r.getSamples().size() - 1)).toList();
    return StatsRow.newBuilder()
        .setKey(key)
        .setGenerationTokensPerSecond(percentiles(generation))
        .setPromptTokensPerSecond(prompt.length == 0 ? null : percentiles(prompt))
        .setTimeToFirstTokenMillis(ttft.length == 0 ? null : percentiles(ttft))
        .setReportCount(rigs.stream().mapToLong(RigContribution::getReportCount).sum())
        .setRigCount(rigs.size())
        .setFirstReportAt(Instant.ofEpochMilli(rigs.stream().mapToLong(RigContribution::getFirstReportAt).min().orElseThrow()))
        .setLastReportAt(Instant.ofEpochMilli(rigs.stream().mapToLong(RigContribution::getLastReportAt).max().orElseThrow()))
        .setTypicalSetup(TypicalSetup.newBuilder()
            .setOs(mostCommon(latestPerRig, ReportSample::getOs))
            .setRuntimeVersion(mostCommon(latestPerRig, ReportSample::getRuntimeVersion))
            .setBackend(mostCommon(latestPerRig, ReportSample::getBackend))
            .build())
        .setModelFacts(facts(latestPerRig))
        .build();
  }

  /** Each fact is the median over the rigs' latest reports that carry it; null when none does. */
  private static ModelFacts facts(List<ReportSample> latestPerRig) {
    ModelFacts facts = ModelFacts.newBuilder()
        .setFileSizeBytes(medianLong(latestPerRig, ReportSample::getFileSizeBytes))
        .setParameterCount(medianLong(latestPerRig, ReportSample::getParameterCount))
        .setKvCacheBytesPerToken(medianLong(latestPerRig, ReportSample::getKvCacheBytesPerToken))
        .setVramUsedBytes(medianLong(latestPerRig, ReportSample::getVramUsedBytes))
        .setAggregateTokensPerSecond(medianOf(latestPerRig, ReportSample::getAggregateTokensPerSecond))
        .build();
    return facts.equals(new ModelFacts()) ? null : facts;
  }

  private static Long medianLong(List<ReportSample> samples, Function<ReportSample, Long> field) {
    Double median = OrderStatistics.medianOrNull(samples.stream().map(field));
    return median == null ? null : Math.round(median);
  }

  private static Double medianOf(List<ReportSample> samples, Function<ReportSample, Double> field) {
    return OrderStatistics.medianOrNull(samples.stream().map(field));
  }

  /** A rig's own median generation rate over its samples. */
  public static double rigGenerationMedian(RigContribution rig) {
    return OrderStatistics.median(rig.getSamples().stream().mapToDouble(ReportSample::getGenerationTokensPerSecond).toArray());
  }

  private static Percentiles percentiles(double[] sorted) {
    return new Percentiles(
        OrderStatistics.percentile(sorted, 10), OrderStatistics.percentile(sorted, 25), OrderStatistics.percentile(sorted, 50),
        OrderStatistics.percentile(sorted, 75), OrderStatistics.percentile(sorted, 90));
  }

  /** The most frequent value; ties go to the alphabetically first, so every instance agrees. */
  private static String mostCommon(List<ReportSample> samples, Function<ReportSample, String> field) {
    Map<String, Integer> counts = new HashMap<>();
    samples.stream().map(field).filter(Objects::nonNull).forEach(v -> counts.merge(v, 1, Integer::sum));
    return counts.entrySet().stream()
        .max(Comparator.<Map.Entry<String, Integer>>comparingInt(Map.Entry::getValue).thenComparing(Map.Entry::getKey, Comparator.reverseOrder()))
        .map(Map.Entry::getKey)
        .orElse(null);
  }
}
