package io.tokbench.aggregator.estimate;

import io.tokbench.aggregator.state.CalibrationPoint;
import io.tokbench.catalog.GpuCatalog;
import io.tokbench.catalog.ModelCatalog;
import io.tokbench.schema.CalibrationLevel;
import io.tokbench.schema.CalibrationRecord;
import io.tokbench.schema.StatsRow;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fallback chain of calibrations: the narrow group (runtime × backend × quantization family)
 * when enough rigs measured it, else the backend, else every row together, else the uncalibrated
 * prior. Each parameter walks the chain on its own (a group may have generation rates but no VRAM
 * measurements), and says which group it came from, so an estimate can state its basis.
 */
public final class CalibrationGroups {
  /** Fewer rigs than this make a group's fit too uncertain to prefer over a broader one. */
  public static final int MIN_RIGS = 5;
  private static final Pattern BITS = Pattern.compile("I?Q(\\d)");

  /**
   * The rules of thumb the estimator replaces: 60 % of the bandwidth with no fixed cost per token,
   * the KV cache exactly as the architecture says plus 500 MiB, "+70 % per doubling of users up to 8",
   * a prompt scale typical of llama.cpp on CUDA, and a band of ±50 % (we do not know better).
   */
  public static final CalibrationRecord PRIOR = CalibrationRecord.newBuilder()
      .setGroupId("prior")
      .setLevel(CalibrationLevel.GLOBAL_PRIOR)
      .setRigCount(0)
      .setRowCount(0)
      .setOverheadMillisPerToken(GenerationModel.PRIOR.overheadSeconds() * 1e3)
      .setBandwidthEfficiency(GenerationModel.PRIOR.efficiency())
      .setKvCacheFactor(VramEstimate.PRIOR_KV_FACTOR)
      .setRuntimeOverheadBytes(VramEstimate.PRIOR_OVERHEAD_BYTES)
      .setConcurrencyGainAtSaturation(ConcurrencyCurve.PRIOR.saturationGain())
      .setConcurrencyHalfSaturationUsers(ConcurrencyCurve.PRIOR.halfSaturationUsers())
      .setPromptScale(50.0)
      .setPromptResidualSpread(Math.log(2))
      .setResidualSpread(Math.log(1.5))
      .setUpdatedAt(Instant.EPOCH)
      .build();

  /** A parameter and the group it was taken from. */
  public record Calibrated<T>(T value, CalibrationRecord from) {
    /** "ollama|CUDA|Q4 (23 rigs)" or "the uncalibrated prior". */
    public String basis() {
      return from.getRigCount() == 0 ? "the uncalibrated prior" : from.getGroupId() + " (" + from.getRigCount() + " rigs)";
    }
  }

  private final Map<String, CalibrationRecord> groups;

  public CalibrationGroups(Map<String, CalibrationRecord> groups) {
    this.groups = Map.copyOf(groups);
  }

  /** "Q4_K_M" → "Q4", "IQ4_XS" → "Q4", "F16" → "F16": quantizations that read alike per weight. */
  public static String quantFamily(String quantization) {
    String q = quantization.toUpperCase(Locale.ROOT);
    Matcher bits = BITS.matcher(q);
    return bits.lookingAt() ? "Q" + bits.group(1) : q;
  }

  public static String narrowId(String runtime, String backend, String quantization) {
    return runtime + "|" + backend + "|" + quantFamily(quantization);
  }

  public Calibrated<GenerationModel> generation(String runtime, String backend, String quantization) {
    return pick(runtime, backend, quantization,
        r -> new GenerationModel(r.getOverheadMillisPerToken() / 1e3, r.getBandwidthEfficiency()));
  }

  public Calibrated<ConcurrencyCurve> concurrency(String runtime, String backend, String quantization) {
    return pick(runtime, backend, quantization, r -> r.getConcurrencyGainAtSaturation() == null ? null
        : new ConcurrencyCurve(r.getConcurrencyGainAtSaturation(), r.getConcurrencyHalfSaturationUsers()));
  }

  /** KV factor and runtime overhead, from the same group so they stay a consistent pair. */
  public Calibrated<VramEstimate.Calibration> vram(String runtime, String backend, String quantization) {
    return pick(runtime, backend, quantization, r -> r.getKvCacheFactor() == null || r.getRuntimeOverheadBytes() == null ? null
        : new VramEstimate.Calibration(r.getKvCacheFactor(), r.getRuntimeOverheadBytes()));
  }

  public Calibrated<Double> promptScale(String runtime, String backend, String quantization) {
    return pick(runtime, backend, quantization, CalibrationRecord::getPromptScale);
  }

  private <T> Calibrated<T> pick(String runtime, String backend, String quantization, Function<CalibrationRecord, T> parameter) {
    for (String id : List.of(narrowId(runtime, backend, quantization), backend, CalibrationPoints.GLOBAL)) {
      CalibrationRecord group = groups.get(id);
      T value = group == null || group.getRigCount() < MIN_RIGS ? null : parameter.apply(group);
      if (value != null) {
        return new Calibrated<>(value, group);
      }
    }
    return new Calibrated<>(parameter.apply(PRIOR), PRIOR);
  }

  /** Fits every group from a table of statistics rows at once (evaluation, and tests). */
  public static CalibrationGroups fit(Collection<StatsRow> rows, GpuCatalog gpus, ModelCatalog models, Instant now) {
    Map<String, List<CalibrationPoint>> byGroup = new HashMap<>();
    for (StatsRow row : rows) {
      CalibrationPoint point = CalibrationPoints.of(row, gpus, models);
      for (String id : CalibrationPoints.groupsOf(row.getKey(), CalibrationPoints.backendOf(row, gpus))) {
        byGroup.computeIfAbsent(id, g -> new ArrayList<>()).add(point);
      }
    }
    Map<String, CalibrationRecord> fitted = new HashMap<>();
    byGroup.forEach((id, points) -> fitted.put(id, Calibrator.fit(id, points, now)));
    return new CalibrationGroups(fitted);
  }

  /** The level of a group id, from its shape. */
  public static CalibrationLevel levelOf(String groupId) {
    if (groupId.equals(CalibrationPoints.GLOBAL)) {
      return CalibrationLevel.GLOBAL_PRIOR;
    }
    return groupId.contains("|") ? CalibrationLevel.RUNTIME_BACKEND_QUANT : CalibrationLevel.BACKEND;
  }
}
