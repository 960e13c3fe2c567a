package io.tokbench.aggregator.estimate;

import io.tokbench.aggregator.state.CalibrationPoint;
import io.tokbench.catalog.GpuCatalog;
import io.tokbench.catalog.GpuSpec;
import io.tokbench.catalog.MemoryClass;
import io.tokbench.catalog.ModelCatalog;
import io.tokbench.schema.CalibrationLevel;
import io.tokbench.schema.CalibrationRecord;
import io.tokbench.schema.StatsRow;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * The fallback chains of calibrations. Generation follows memory and the kernels a backend picks
 * for the GPU's architecture (on ROCm an RX 7900 XTX, RDNA 3, reads 41 % of its bandwidth per
 * token and an RX 9070 XT, RDNA 4, 72 %): the narrow group on the architecture (runtime × backend
 * × architecture × memory class × quantization), the narrow group on every architecture, the
 * backend on the architecture and memory class, the vendor on that memory class, the memory class
 * (HBM, GDDR or unified), every row, then the uncalibrated prior. Prompt
 * processing, VRAM and concurrency follow the backend's kernels: runtime × backend × quantization,
 * backend, every row, prior.
 * Each parameter walks its chain on its own (a group may have generation rates but no VRAM
 * measurements) and says which group it came from, so an estimate can state its basis. Generation
 * does not throw away the narrower groups it walks past: the narrowest one with any rigs is pooled
 * with the established group ({@link #POOLING_RIGS}, {@link #POOLING_MAX_FACTOR}).
 */
public final class CalibrationGroups {
  /** Fewer rigs than this make a group's fit too uncertain to prefer over a broader one. */
  public static final int MIN_RIGS = 5;
  /**
   * A generation group on n rigs, fewer than {@link #MIN_RIGS}, still is the most specific evidence
   * about a setup (a rare card, a new driver, someone else's build of the backend), so it is pooled
   * with the established group instead of passed over, at weight n / (n + 2): one rig moves a
   * prediction a third of the way (in log efficiency) to its own line, four rigs two thirds (shrinkage
   * toward the broader group, as in partial pooling of a hierarchical model). Measured on the
   * published sets (README, "What each term is worth"): leave-one-GPU-out 5.5 % → 5.3 %, ROCm 7.7 % →
   * 6.3 %; a new source's rows (GPU and source held out) 8.6 % → 6.7 %, 77 % → 91 % within ±20 %.
   */
  public static final double POOLING_RIGS = 2;
  /**
   * Reports come from anyone, and a group of one rig has no other rows to outvote a broken one, so
   * a small group's efficiency counts at most this many times (or this fraction of) the established
   * group's, and its overhead at most this many times the established one or its memory class's
   * prior: the widest gap between a legitimate small group and its parent in the published sets is
   * Intel's Vulkan driver on an Arc A770 (0.24 of the bandwidth against 0.92 for GDDR cards), 3.8×, and
   * no published group is clamped. A group of one rig-row reporting a twentieth of its GPU's rate moves
   * its setup's efficiency by 4^(1/3), 1.6×, instead of 20^(1/3), 2.7× (four rows: 2.5×); its overhead
   * adds at most a third of 4 times the class's.
   */
  public static final double POOLING_MAX_FACTOR = 4;

  /**
   * The rules of thumb the estimator replaces: 60 % of the bandwidth with no fixed cost per token,
   * the KV cache exactly as the architecture says plus 500 MiB, "+70 % per doubling of users up to 8",
   * a prompt compute scale typical of llama.cpp on CUDA tensor cores (tokens/s × billions of
   * parameters per FP16 TFLOPS: 174 for an RTX 4090 on Q4_K_M, 246 for an RTX 3090 on Q4_0 in the
   * published sets), and a band of ±50 % (we do not know better).
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
      .setPromptTokensPerSecondPerTflop(200.0)
      .setPromptComputeSpread(Math.log(2))
      .setResidualSpread(Math.log(1.5))
      .setUpdatedAt(Instant.EPOCH)
      .build();

  /**
   * What an estimate's parameters are looked up by, and the groups a row of it calibrates.
   *
   * @param vendor the GPU's vendor; it matters only for a backend every vendor implements (Vulkan),
   *     whose kernels take a different path on each vendor's driver (NVIDIA's cooperative matrices,
   *     AMD's RADV, Intel's ANV); null where unknown
   * @param architecture the GPU's architecture (rdna3, ada, ...), which the backend picks its kernels
   *     by; null where unknown
   */
  public record Setup(String runtime, String backend, String vendor, MemoryClass memory, String quantization, String architecture) {
    /** Backends whose one name covers every vendor's driver. */
    private static final Set<String> VENDOR_NEUTRAL = Set.of("VULKAN");

    public Setup(String runtime, String backend, MemoryClass memory, String quantization) {
      this(runtime, backend, null, memory, quantization, null);
    }

    /** The setup of a run of this backend on this GPU. */
    public static Setup on(GpuSpec gpu, String runtime, String backend, String quantization) {
      return new Setup(runtime, backend, gpu.vendor(), gpu.memoryClass(), quantization, gpu.architecture());
    }

    Setup withoutVendor() {
      return new Setup(runtime, backend, null, memory, quantization, architecture);
    }

    Setup withoutArchitecture() {
      return new Setup(runtime, backend, vendor, memory, quantization, null);
    }

    /** "VULKAN/AMD" for a vendor-neutral backend on a known vendor, else the backend. */
    String kernels() {
      return vendor != null && VENDOR_NEUTRAL.contains(backend) ? backend + "/" + vendor : backend;
    }

    /**
     * Generation is memory-bound. With the GPU's architecture: the narrow group on it → runtime ×
     * kernels × memory class × quantization → kernels on the architecture and class → (vendor on
     * the class) → memory class → all. Past the architecture, the vendor's cards on either backend
     * predict better than the backend's other architectures (a vendor's memory system is shared
     * by its backends; see the README's accuracy section). Without it: runtime × kernels × memory
     * class × quantization → kernels on that class → (vendor on it) → memory class → all.
     */
    List<String> generationChain() {
      List<String> chain = new ArrayList<>();
      String narrow = narrowId(runtime, kernels(), memory.name(), quantization);
      if (architecture == null) {
        chain.addAll(List.of(narrow, kernels() + "|" + memory));
      } else {
        String kernelsOnArchitecture = kernels() + "/" + architecture;
        chain.addAll(List.of(narrowId(runtime, kernelsOnArchitecture, memory.name(), quantization), narrow, kernelsOnArchitecture + "|" + memory));
      }
      if (vendor != null) {
        chain.add(vendor + "|" + memory);
      }
      chain.addAll(List.of(memory.name(), CalibrationPoints.GLOBAL));
      return List.copyOf(chain);
    }

    /** Prompt processing, VRAM and concurrency follow the backend's kernels: runtime × kernels × quantization → kernels → (backend) → all. */
    List<String> kernelChain() {
      List<String> chain = new ArrayList<>(List.of(runtime + "|" + kernels() + "|" + quantization, kernels()));
      if (!kernels().equals(backend)) {
        chain.add(backend);
      }
      chain.add(CalibrationPoints.GLOBAL);
      return List.copyOf(chain);
    }

    /** Every group a row of this setup belongs to, narrowest first. */
    public List<String> groups() {
      Set<String> groups = new LinkedHashSet<>(generationChain());
      groups.remove(CalibrationPoints.GLOBAL);
      groups.addAll(kernelChain());
      return List.copyOf(groups);
    }
  }

  /**
   * A parameter and the group it was taken from.
   *
   * @param from the established group (or the prior): its band and rig count stand for the value
   * @param pooled a narrower group on fewer than {@link #MIN_RIGS} rigs the value was pooled with, or null
   */
  public record Calibrated<T>(T value, CalibrationRecord from, CalibrationRecord pooled) {
    public Calibrated(T value, CalibrationRecord from) {
      this(value, from, null);
    }

    /** "llama.cpp|CUDA|GDDR|Q4_K_M (23 rigs)", "the uncalibrated prior", or either pooled with a narrower group: "ROCM/rdna4|GDDR (2 rigs) pooled with AMD|GDDR (25 rigs)". */
    public String basis() {
      String established = describe(from);
      return pooled == null ? established : describe(pooled) + " pooled with " + established;
    }

    private static String describe(CalibrationRecord group) {
      return group.getRigCount() == 0 ? "the uncalibrated prior"
          : group.getGroupId() + " (" + group.getRigCount() + (group.getRigCount() == 1 ? " rig)" : " rigs)");
    }
  }

  private final Map<String, CalibrationRecord> groups;
  private final ModelForm form;

  public CalibrationGroups(Map<String, CalibrationRecord> groups) {
    this(groups, ModelForm.FULL);
  }

  private CalibrationGroups(Map<String, CalibrationRecord> groups, ModelForm form) {
    this.groups = Map.copyOf(groups);
    this.form = form;
  }

  private static String narrowId(String runtime, String backend, String memoryClass, String quantization) {
    return runtime + "|" + backend + "|" + memoryClass + "|" + quantization;
  }

  /** The terms every group shares, from the global group (the priors before there is one). */
  public Physics physics() {
    return Physics.of(groups.get(CalibrationPoints.GLOBAL));
  }

  public Calibrated<GenerationModel> generation(Setup setup) {
    Setup lookup = lookup(setup);
    List<String> chain = form.has(ModelForm.Term.MEMORY_CLASS) ? lookup.generationChain() : lookup.kernelChain();
    Calibrated<GenerationModel> established = pick(chain, CalibrationGroups::generationModel);
    if (!form.has(ModelForm.Term.POOLING)) {
      return established;
    }
    for (String id : chain) {
      CalibrationRecord group = groups.get(id);
      if (group == established.from()) {
        break;
      }
      if (group != null && group.getRigCount() > 0) {
        GenerationModel pooled = pool(generationModel(group), group.getRigCount(), established.value(), Calibrator.overheadPrior(id));
        return new Calibrated<>(pooled, established.from(), group);
      }
    }
    return established;
  }

  /** A group's generation line (the prior's for the prior). */
  static GenerationModel generationModel(CalibrationRecord group) {
    return new GenerationModel(group.getOverheadMillisPerToken() / 1e3, group.getBandwidthEfficiency());
  }

  /**
   * The established model with a small group's pooled in at weight n / (n + {@link #POOLING_RIGS}):
   * efficiencies in log space, since efficiency gaps are ratios (a twice-as-slow group counts as
   * far as a twice-as-fast one), overheads linearly (an overhead may be zero). The small group's
   * efficiency is clamped to within {@link #POOLING_MAX_FACTOR} times the established one either way,
   * its overhead to at most that many times the established one or the overhead prior of its memory
   * class, whichever is larger.
   *
   * @param overheadPrior the small group's overhead prior (its memory class's)
   */
  static GenerationModel pool(GenerationModel small, int rigs, GenerationModel established, double overheadPrior) {
    double weight = rigs / (rigs + POOLING_RIGS);
    double maxLogRatio = Math.log(POOLING_MAX_FACTOR);
    double logRatio = Math.max(-maxLogRatio, Math.min(maxLogRatio, Math.log(small.efficiency() / established.efficiency())));
    double overhead = Math.min(small.overheadSeconds(), POOLING_MAX_FACTOR * Math.max(established.overheadSeconds(), overheadPrior));
    return new GenerationModel(weight * overhead + (1 - weight) * established.overheadSeconds(), established.efficiency() * Math.exp(weight * logRatio));
  }

  /**
   * The band of a predicted generation rate, ±this in log space: the established group's spread
   * of held-out GPUs about its line; a pooled figure sits between two groups' lines, so its band
   * widens by how far pooling moved it from the established line (the truth may lie that far the
   * other way).
   *
   * @param rateOf the rate a generation model predicts for the setup at hand
   */
  public static double generationSpread(Calibrated<GenerationModel> generation, ToDoubleFunction<GenerationModel> rateOf) {
    double spread = generation.from().getResidualSpread();
    if (generation.pooled() == null) {
      return spread;
    }
    return spread + Math.abs(Math.log(rateOf.applyAsDouble(generation.value()) / rateOf.applyAsDouble(generationModel(generation.from()))));
  }

  /** The band of a predicted prompt rate, ±this in log space: the group's spread of held-out GPUs' compute scales (0 where it has none). */
  public static double promptSpread(Calibrated<Double> scale) {
    Double spread = scale.from().getPromptComputeSpread();
    return spread == null ? 0 : spread;
  }

  public Calibrated<ConcurrencyCurve> concurrency(Setup setup) {
    return pick(lookup(setup).kernelChain(), r -> r.getConcurrencyGainAtSaturation() == null ? null
        : new ConcurrencyCurve(r.getConcurrencyGainAtSaturation(), r.getConcurrencyHalfSaturationUsers()));
  }

  /** KV factor and runtime overhead, from the same group so they stay a consistent pair. */
  public Calibrated<VramEstimate.Calibration> vram(Setup setup) {
    return pick(lookup(setup).kernelChain(), r -> r.getKvCacheFactor() == null || r.getRuntimeOverheadBytes() == null ? null
        : new VramEstimate.Calibration(r.getKvCacheFactor(), r.getRuntimeOverheadBytes()));
  }

  /** Prompt tokens/s × billions of parameters per FP16 TFLOPS. */
  public Calibrated<Double> promptScale(Setup setup) {
    return pick(lookup(setup).kernelChain(), CalibrationRecord::getPromptTokensPerSecondPerTflop);
  }

  private Setup lookup(Setup setup) {
    return lookup(setup, form);
  }

  /** The setup as a model of this form sees it: without its vendor or architecture in a model without that term. */
  private static Setup lookup(Setup setup, ModelForm form) {
    Setup seen = form.has(ModelForm.Term.VENDOR) ? setup : setup.withoutVendor();
    return form.has(ModelForm.Term.ARCHITECTURE) ? seen : seen.withoutArchitecture();
  }

  private <T> Calibrated<T> pick(List<String> chain, Function<CalibrationRecord, T> parameter) {
    for (String id : chain) {
      CalibrationRecord group = groups.get(id);
      T value = group == null || group.getRigCount() < MIN_RIGS ? null : parameter.apply(group);
      if (value != null) {
        return new Calibrated<>(value, group);
      }
    }
    return new Calibrated<>(parameter.apply(PRIOR), PRIOR);
  }

  /** Fits every group from a table of statistics rows at once (evaluation, and tests): the global group's physics first. */
  public static CalibrationGroups fit(Collection<StatsRow> rows, GpuCatalog gpus, ModelCatalog models, Instant now) {
    return fit(rows, gpus, models, now, ModelForm.FULL);
  }

  /** Fits every group of a model of this form (an ablation leaves terms out). */
  public static CalibrationGroups fit(Collection<StatsRow> rows, GpuCatalog gpus, ModelCatalog models, Instant now, ModelForm form) {
    Map<String, List<CalibrationPoint>> byGroup = new HashMap<>();
    for (StatsRow row : rows) {
      List<String> groupIds = groupsOf(row, gpus, form);
      if (groupIds.isEmpty()) {
        continue;
      }
      CalibrationPoint point = CalibrationPoints.of(row, gpus, models);
      if (!form.has(ModelForm.Term.LAYER_OVERHEAD)) {
        point = CalibrationPoint.newBuilder(point).setBlockCount(null).build();
      }
      for (String id : groupIds) {
        byGroup.computeIfAbsent(id, g -> new ArrayList<>()).add(point);
      }
    }
    Map<String, CalibrationRecord> fitted = new HashMap<>();
    List<CalibrationPoint> all = byGroup.getOrDefault(CalibrationPoints.GLOBAL, List.of());
    CalibrationRecord global = Calibrator.fitGlobal(all, now, form);
    fitted.put(CalibrationPoints.GLOBAL, global);
    Physics physics = Physics.of(global);
    byGroup.forEach((id, points) -> {
      if (!id.equals(CalibrationPoints.GLOBAL)) {
        fitted.put(id, Calibrator.fit(id, points, physics, now));
      }
    });
    return new CalibrationGroups(fitted, form);
  }

  /** The groups a row calibrates (an ablation fits the groups its own chains look up). */
  static List<String> groupsOf(StatsRow row, GpuCatalog gpus, ModelForm form) {
    return CalibrationPoints.setupOf(row, gpus).map(s -> lookup(s, form).groups()).orElse(List.of());
  }

  /**
   * Fits one group as the stream does: the global group fits its physics, the others use the current
   * ones; the bands are taken from {@code bands} where it is given, measured where it is null.
   */
  static CalibrationRecord fitGroup(String groupId, Collection<CalibrationPoint> points, Physics physics, Instant now, CalibrationRecord bands) {
    return groupId.equals(CalibrationPoints.GLOBAL)
        ? Calibrator.fitGlobal(points, now, ModelForm.FULL, bands)
        : Calibrator.fit(groupId, points, physics, now, bands);
  }

  /** The level of a group id, from its shape. */
  public static CalibrationLevel levelOf(String groupId) {
    if (groupId.equals(CalibrationPoints.GLOBAL)) {
      return CalibrationLevel.GLOBAL_PRIOR;
    }
    return groupId.chars().filter(c -> c == '|').count() >= 2 ? CalibrationLevel.RUNTIME_BACKEND_QUANT : CalibrationLevel.BACKEND;
  }
}
