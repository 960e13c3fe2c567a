package io.tokbench.aggregator.aggregate;

import io.tokbench.aggregator.state.ReportSample;
import io.tokbench.aggregator.state.RigContribution;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Adding and withdrawing one rig's samples for one key. */
public final class RigContributions {
  /** A rig's median is taken over its latest samples; older ones only count in reportCount. */
  public static final int MAX_SAMPLES = 100;
  /** Store key separator between the encoded statistics key and the rig id. */
  public static final char RIG_SEPARATOR = '\u001e';

  private RigContributions() {}

  public static String storeKey(String encodedStatsKey, String rigId) {
    return encodedStatsKey + RIG_SEPARATOR + rigId;
  }

  /** The encoded statistics key of a store key. */
  public static String statsKeyOf(String storeKey) {
    return storeKey.substring(0, storeKey.lastIndexOf(RIG_SEPARATOR));
  }

  /** The rig id of a store key. */
  public static String rigOf(String storeKey) {
    return storeKey.substring(storeKey.lastIndexOf(RIG_SEPARATOR) + 1);
  }

  /** Prefix of every rig's contribution to one key. */
  public static String keyPrefix(String encodedStatsKey) {
    return encodedStatsKey + RIG_SEPARATOR;
  }

  /** A window after an addition, and the report ids that fell out of it (the added one among them when it is older than all kept). */
  public record Added(RigContribution window, List<String> evictedReportIds) {}

  /** The window with one more sample, and what left it. */
  public static Added addTracking(RigContribution existing, ReportSample sample) {
    RigContribution window = add(existing, sample);
    if (window.getSamples().size() == (existing == null ? 0 : existing.getSamples().size()) + 1) {
      return new Added(window, List.of());
    }
    java.util.Set<String> kept = new java.util.HashSet<>();
    window.getSamples().forEach(s -> kept.add(s.getReportId()));
    List<String> evicted = new ArrayList<>();
    if (!kept.contains(sample.getReportId())) {
      evicted.add(sample.getReportId());
    }
    existing.getSamples().stream().map(ReportSample::getReportId).filter(id -> !kept.contains(id)).forEach(evicted::add);
    return new Added(window, evicted);
  }

  public static RigContribution add(RigContribution existing, ReportSample sample) {
    List<ReportSample> samples = new ArrayList<>(existing == null ? List.of() : existing.getSamples());
    samples.add(sample);
    samples.sort((a, b) -> Long.compare(a.getMeasuredAt(), b.getMeasuredAt()));
    if (samples.size() > MAX_SAMPLES) {
      samples = new ArrayList<>(samples.subList(samples.size() - MAX_SAMPLES, samples.size()));
    }
    return RigContribution.newBuilder()
        .setReportCount((existing == null ? 0 : existing.getReportCount()) + 1)
        .setFirstReportAt(existing == null ? sample.getMeasuredAt() : Math.min(existing.getFirstReportAt(), sample.getMeasuredAt()))
        .setLastReportAt(existing == null ? sample.getMeasuredAt() : Math.max(existing.getLastReportAt(), sample.getMeasuredAt()))
        .setSamples(samples)
        .build();
  }

  /** The contribution without one report, or empty when nothing of the rig remains. */
  public static Optional<RigContribution> without(RigContribution existing, String reportId) {
    List<ReportSample> samples = new ArrayList<>(existing.getSamples());
    boolean removed = samples.removeIf(s -> s.getReportId().equals(reportId));
    long count = existing.getReportCount() - 1;
    if (count <= 0 || samples.isEmpty()) {
      return Optional.empty();
    }
    if (!removed) {
      // An older report that only lived on in reportCount.
      return Optional.of(RigContribution.newBuilder(existing).setReportCount(count).build());
    }
    return Optional.of(RigContribution.newBuilder()
        .setReportCount(count)
        // Reports older than the kept samples still count for the first report time.
        .setFirstReportAt(count > samples.size() ? existing.getFirstReportAt() : samples.get(0).getMeasuredAt())
        .setLastReportAt(samples.get(samples.size() - 1).getMeasuredAt())
        .setSamples(samples)
        .build());
  }
}
