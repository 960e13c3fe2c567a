package io.tokbench.aggregator.aggregate;

import io.tokbench.aggregator.state.RigSummary;
import io.tokbench.schema.ModelFacts;
import io.tokbench.schema.Percentiles;
import io.tokbench.schema.StatsKey;
import io.tokbench.schema.StatsRow;
import io.tokbench.schema.TypicalSetup;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;

/**
 * One statistics row, kept up to date as rigs' summaries come and go. Each rig counts once, with
 * its own median, so a rig that sends a thousand reports weighs what a rig that sends one does; the
 * percentiles are exact order statistics over the rigs' medians (no sketch). A rig's change is one
 * removal and one insertion per figure that changed, whatever the number of rigs; the row is read
 * off the structures when it is emitted.
 */
final class RowStatistics {
  private final SortedValues generation = new SortedValues();
  private final SortedValues prompt = new SortedValues();
  private final SortedValues ttft = new SortedValues();
  private final SortedValues firstReportAt = new SortedValues();
  private final SortedValues lastReportAt = new SortedValues();
  private final SortedValues fileSize = new SortedValues();
  private final SortedValues parameters = new SortedValues();
  private final SortedValues kvBytesPerToken = new SortedValues();
  private final SortedValues vramUsed = new SortedValues();
  private final SortedValues aggregateRate = new SortedValues();
  private final SortedValues experts = new SortedValues();
  private final SortedValues expertsUsed = new SortedValues();
  private final SortedValues attentionWidth = new SortedValues();
  private final SortedValues blockCount = new SortedValues();
  private final Map<String, Integer> os = new HashMap<>();
  private final Map<String, Integer> runtimeVersion = new HashMap<>();
  private final Map<String, Integer> backend = new HashMap<>();
  private long reportCount;
  private int rigCount;

  int rigCount() {
    return rigCount;
  }

  void add(RigSummary rig) {
    rigCount++;
    reportCount += rig.getReportCount();
    generation.add(rig.getGenerationTokensPerSecond());
    addIfPresent(prompt, rig.getPromptTokensPerSecond());
    addIfPresent(ttft, rig.getTimeToFirstTokenMillis());
    firstReportAt.add(rig.getFirstReportAt());
    lastReportAt.add(rig.getLastReportAt());
    addIfPresent(fileSize, rig.getFileSizeBytes());
    addIfPresent(parameters, rig.getParameterCount());
    addIfPresent(kvBytesPerToken, rig.getKvCacheBytesPerToken());
    addIfPresent(vramUsed, rig.getVramUsedBytes());
    addIfPresent(aggregateRate, rig.getAggregateTokensPerSecond());
    addIfPresent(experts, rig.getExpertCount());
    addIfPresent(expertsUsed, rig.getExpertUsedCount());
    addIfPresent(attentionWidth, rig.getAttentionWidth());
    addIfPresent(blockCount, rig.getBlockCount());
    count(os, rig.getOs(), 1);
    count(runtimeVersion, rig.getRuntimeVersion(), 1);
    count(backend, rig.getBackend(), 1);
  }

  void remove(RigSummary rig) {
    rigCount--;
    reportCount -= rig.getReportCount();
    generation.remove(rig.getGenerationTokensPerSecond());
    removeIfPresent(prompt, rig.getPromptTokensPerSecond());
    removeIfPresent(ttft, rig.getTimeToFirstTokenMillis());
    firstReportAt.remove(rig.getFirstReportAt());
    lastReportAt.remove(rig.getLastReportAt());
    removeIfPresent(fileSize, rig.getFileSizeBytes());
    removeIfPresent(parameters, rig.getParameterCount());
    removeIfPresent(kvBytesPerToken, rig.getKvCacheBytesPerToken());
    removeIfPresent(vramUsed, rig.getVramUsedBytes());
    removeIfPresent(aggregateRate, rig.getAggregateTokensPerSecond());
    removeIfPresent(experts, rig.getExpertCount());
    removeIfPresent(expertsUsed, rig.getExpertUsedCount());
    removeIfPresent(attentionWidth, rig.getAttentionWidth());
    removeIfPresent(blockCount, rig.getBlockCount());
    count(os, rig.getOs(), -1);
    count(runtimeVersion, rig.getRuntimeVersion(), -1);
    count(backend, rig.getBackend(), -1);
  }

  /** A rig's summary changed: only the figures that differ are moved. */
  void replace(RigSummary before, RigSummary after) {
    if (before == null) {
      add(after);
      return;
    }
    reportCount += after.getReportCount() - before.getReportCount();
    move(generation, before.getGenerationTokensPerSecond(), after.getGenerationTokensPerSecond());
    move(prompt, before.getPromptTokensPerSecond(), after.getPromptTokensPerSecond());
    move(ttft, before.getTimeToFirstTokenMillis(), after.getTimeToFirstTokenMillis());
    move(firstReportAt, before.getFirstReportAt(), after.getFirstReportAt());
    move(lastReportAt, before.getLastReportAt(), after.getLastReportAt());
    move(fileSize, before.getFileSizeBytes(), after.getFileSizeBytes());
    move(parameters, before.getParameterCount(), after.getParameterCount());
    move(kvBytesPerToken, before.getKvCacheBytesPerToken(), after.getKvCacheBytesPerToken());
    move(vramUsed, before.getVramUsedBytes(), after.getVramUsedBytes());
    move(aggregateRate, before.getAggregateTokensPerSecond(), after.getAggregateTokensPerSecond());
    move(experts, before.getExpertCount(), after.getExpertCount());
    move(expertsUsed, before.getExpertUsedCount(), after.getExpertUsedCount());
    move(attentionWidth, before.getAttentionWidth(), after.getAttentionWidth());
    move(blockCount, before.getBlockCount(), after.getBlockCount());
    recount(os, before.getOs(), after.getOs());
    recount(runtimeVersion, before.getRuntimeVersion(), after.getRuntimeVersion());
    recount(backend, before.getBackend(), after.getBackend());
  }

  /** The row as published; only when at least one rig contributes. */
  StatsRow toRow(StatsKey key) {
    return StatsRow.newBuilder()
        .setKey(key)
        .setGenerationTokensPerSecond(percentiles(generation))
        .setPromptTokensPerSecond(prompt.size() == 0 ? null : percentiles(prompt))
        .setTimeToFirstTokenMillis(ttft.size() == 0 ? null : percentiles(ttft))
        .setReportCount(reportCount)
        .setRigCount(rigCount)
        .setFirstReportAt(Instant.ofEpochMilli((long) firstReportAt.min()))
        .setLastReportAt(Instant.ofEpochMilli((long) lastReportAt.max()))
        .setTypicalSetup(TypicalSetup.newBuilder().setOs(mostCommon(os)).setRuntimeVersion(mostCommon(runtimeVersion)).setBackend(mostCommon(backend)).build())
        .setModelFacts(facts())
        .build();
  }

  /** Each fact is the median over the rigs whose latest report carries it; null when none does. */
  private ModelFacts facts() {
    ModelFacts facts = ModelFacts.newBuilder()
        .setFileSizeBytes(medianLong(fileSize))
        .setParameterCount(medianLong(parameters))
        .setKvCacheBytesPerToken(medianLong(kvBytesPerToken))
        .setVramUsedBytes(medianLong(vramUsed))
        .setAggregateTokensPerSecond(aggregateRate.size() == 0 ? null : aggregateRate.percentile(50))
        .setExpertCount(medianInt(experts))
        .setExpertUsedCount(medianInt(expertsUsed))
        .setAttentionWidth(medianLong(attentionWidth))
        .setBlockCount(medianInt(blockCount))
        .build();
    return facts.equals(new ModelFacts()) ? null : facts;
  }

  /** Approximate heap bytes, for the cache that holds rows being aggregated. */
  int bytes() {
    return 200 + generation.bytes() + prompt.bytes() + ttft.bytes() + firstReportAt.bytes() + lastReportAt.bytes() + fileSize.bytes()
        + parameters.bytes() + kvBytesPerToken.bytes() + vramUsed.bytes() + aggregateRate.bytes() + experts.bytes() + expertsUsed.bytes()
        + attentionWidth.bytes() + blockCount.bytes() + 48 * (os.size() + runtimeVersion.size() + backend.size());
  }

  private static Long medianLong(SortedValues values) {
    return values.size() == 0 ? null : Math.round(values.percentile(50));
  }

  private static Integer medianInt(SortedValues values) {
    return values.size() == 0 ? null : (int) Math.round(values.percentile(50));
  }

  private static Percentiles percentiles(SortedValues sorted) {
    return new Percentiles(sorted.percentile(10), sorted.percentile(25), sorted.percentile(50), sorted.percentile(75), sorted.percentile(90));
  }

  /** The most frequent value; ties go to the alphabetically first, so every instance agrees. */
  private static String mostCommon(Map<String, Integer> counts) {
    return counts.entrySet().stream()
        .max(Comparator.<Map.Entry<String, Integer>>comparingInt(Map.Entry::getValue).thenComparing(Map.Entry::getKey, Comparator.reverseOrder()))
        .map(Map.Entry::getKey)
        .orElse(null);
  }

  private static void addIfPresent(SortedValues values, Number value) {
    if (value != null) {
      values.add(value.doubleValue());
    }
  }

  private static void removeIfPresent(SortedValues values, Number value) {
    if (value != null) {
      values.remove(value.doubleValue());
    }
  }

  private static void move(SortedValues values, Number before, Number after) {
    if (before == null ? after == null : after != null && before.doubleValue() == after.doubleValue()) {
      return;
    }
    removeIfPresent(values, before);
    addIfPresent(values, after);
  }

  private static void count(Map<String, Integer> counts, String value, int delta) {
    if (value != null) {
      counts.merge(value, delta, (a, b) -> a + b == 0 ? null : a + b);
    }
  }

  private static void recount(Map<String, Integer> counts, String before, String after) {
    if (before == null ? after != null : !before.equals(after)) {
      count(counts, before, -1);
      count(counts, after, 1);
    }
  }

  /** A row built from scratch, as a recomputation over every rig would. */
  static RowStatistics of(Iterable<RigSummary> rigs) {
    RowStatistics row = new RowStatistics();
    rigs.forEach(row::add);
    return row;
  }
}
