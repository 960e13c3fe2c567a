package io.tokbench.deploy.demo;

import static io.tokbench.deploy.demo.DemoCatalog.AMD_DRIVERS;
import static io.tokbench.deploy.demo.DemoCatalog.CONTEXT_MIX;
import static io.tokbench.deploy.demo.DemoCatalog.DESKTOP_CPUS;
import static io.tokbench.deploy.demo.DemoCatalog.F16;
import static io.tokbench.deploy.demo.DemoCatalog.GPUS;
import static io.tokbench.deploy.demo.DemoCatalog.LAPTOP_CPUS;
import static io.tokbench.deploy.demo.DemoCatalog.LLAMA_CPP_BUILDS;
import static io.tokbench.deploy.demo.DemoCatalog.MODELS;
import static io.tokbench.deploy.demo.DemoCatalog.NVIDIA_LINUX_DRIVERS;
import static io.tokbench.deploy.demo.DemoCatalog.NVIDIA_WINDOWS_DRIVERS;
import static io.tokbench.deploy.demo.DemoCatalog.OLLAMA_VERSIONS;
import static io.tokbench.deploy.demo.DemoCatalog.Q4_K_M;
import static io.tokbench.deploy.demo.DemoCatalog.QUANT_MIX;
import static io.tokbench.deploy.demo.DemoCatalog.WORKSTATION_CPU;
import static io.tokbench.deploy.demo.DemoCatalog.choose;
import static io.tokbench.deploy.demo.DemoCatalog.operatingSystem;
import static io.tokbench.deploy.demo.DemoCatalog.pc;
import static io.tokbench.deploy.demo.DemoCatalog.pick;
import static io.tokbench.deploy.demo.DemoCatalog.weighted;

import io.tokbench.aggregator.validate.Rejection;
import io.tokbench.catalog.GpuCatalog;
import io.tokbench.catalog.GpuSpec;
import io.tokbench.deploy.demo.DemoCatalog.CpuModel;
import io.tokbench.deploy.demo.DemoCatalog.DemoModel;
import io.tokbench.deploy.demo.DemoCatalog.GpuPick;
import io.tokbench.deploy.demo.DemoCatalog.Quant;
import io.tokbench.normalize.OrderStatistics;
import io.tokbench.schema.Backend;
import io.tokbench.schema.BenchmarkReport;
import io.tokbench.schema.Cpu;
import io.tokbench.schema.Gpu;
import io.tokbench.schema.GpuVendor;
import io.tokbench.schema.Hardware;
import io.tokbench.schema.MemoryObserved;
import io.tokbench.schema.Model;
import io.tokbench.schema.PowerObserved;
import io.tokbench.schema.ProbeFlags;
import io.tokbench.schema.Repetition;
import io.tokbench.schema.Runtime;
import io.tokbench.schema.Settings;
import io.tokbench.schema.Summary;
import io.tokbench.schema.TimingSource;
import io.tokbench.schema.TimingSources;
import io.tokbench.serde.WireFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * A simulated fleet for the demo mode: a few hundred anonymous rigs drawn from the GPU catalog,
 * measuring popular models the way the agent does, so every page and the rejected topic have
 * something to show right after start-up. Rates follow the estimator's own physics (a fixed cost
 * per token plus the weights read at some efficiency of the memory bandwidth) with noise, so the
 * tables look like a real community's. Everything is drawn from the seed: one seed, one fleet.
 */
public final class DemoFleet {
  /** Rigs in the fleet when {@link #nextLiveReport()} is called before {@link #reports(int)}. */
  public static final int DEFAULT_RIGS = 300;

  // What the agent writes (ProbeSuite.STANDARD, ReportBuilder.SCHEMA_VERSION): copied, as deploy does not depend on the agent.
  static final String SUITE_ID = "tokbench-suite-1";
  static final int SCHEMA_VERSION = 3;
  static final String AGENT_VERSION = "0.1.0";
  static final int PROMPT_TOKENS = 512;
  static final int GENERATED_TOKENS = 128;
  static final int REPETITIONS = 5;
  static final long SUITE_SEED = 42L;
  static final double NOISY_VARIATION = 0.10;
  static final List<Integer> SWEEP = List.of(1, 2, 4, 8);

  private static final double GB = 1e9;
  private static final long MIB = 1L << 20;
  private static final long GIB = 1L << 30;

  /** A decodable report the validator must refuse, the reason code it should give, and the story behind it. */
  public record Outlier(BenchmarkReport report, String expectedReason, String description) {}

  /** Bytes the aggregator cannot even decode, and the reason code it should give. */
  public record Malformed(String description, String expectedReason, byte[] payload) {}

  /** What one rig runs: a model at one quantization and context, and the share of it in GPU memory. */
  private record Workload(DemoModel model, Quant quant, int context, double offload) {}

  /** One contributor's machine, runtime and habits; the performance figures are its hidden truth. */
  private record Rig(UUID id, GpuSpec gpu, int cards, boolean laptop, String runtime, String runtimeVersion, Backend backend, Hardware hardware,
      double efficiency, double overheadSeconds, double speed, double ramBandwidth, double promptFactor, double gain, double halfUsers,
      boolean sweeps, List<Workload> workloads) {}

  private final long seed;
  private final Clock clock;
  private final Random live;
  private List<Rig> fleet;

  public DemoFleet(long seed, Clock clock) {
    this.seed = seed;
    this.clock = clock;
    this.live = stream(5);
  }

  /** The record key the agent uses, so one rig's reports for one model keep their order. */
  public static String key(BenchmarkReport report) {
    return report.getRigId() + "/" + report.getModel().getName();
  }

  /**
   * Valid reports of a fleet of {@code rigs} rigs, oldest first: each rig measured each of its
   * models one to four times over the last four days, and about one rig in seven also ran a
   * concurrency sweep (1, 2, 4, 8 users). Every one passes the aggregator's validator.
   */
  public synchronized List<BenchmarkReport> reports(int rigs) {
    fleet = buildFleet(rigs);
    Random r = stream(2);
    Instant now = now();
    List<BenchmarkReport> reports = new ArrayList<>();
    for (Rig rig : fleet) {
      for (Workload w : rig.workloads()) {
        for (int i = 1 + r.nextInt(4); i > 0; i--) {
          reports.add(measure(r, rig, w, 1, past(r, now), session(r)));
        }
      }
      Optional<Workload> swept = rig.sweeps() ? rig.workloads().stream().filter(candidate -> candidate.offload() >= 1).findFirst() : Optional.empty();
      if (swept.isPresent()) {
        Instant at = past(r, now);
        double sitting = session(r); // one sitting: the levels differ by concurrency, not by the day
        for (int users : SWEEP) {
          reports.add(measure(r, rig, swept.get(), users, at, sitting));
          at = at.plusSeconds(20 + r.nextInt(40));
        }
      }
    }
    reports.sort(Comparator.comparing(BenchmarkReport::getMeasuredAt));
    return reports;
  }

  /** One more report from a rig of the fleet, measured seconds ago: the trickle that keeps the pages moving. */
  public synchronized BenchmarkReport nextLiveReport() {
    if (fleet == null) {
      fleet = buildFleet(DEFAULT_RIGS);
    }
    Rig rig = pick(live, fleet);
    return measure(live, rig, pick(live, rig.workloads()), 1, now().minusMillis(500 + live.nextInt(15_000)), session(live));
  }

  /** Decodable reports the validator refuses, each for one reason: what the rejected topic should show. */
  public List<Outlier> outliers() {
    Random r = stream(3);
    Instant now = now();
    List<Outlier> outliers = new ArrayList<>();
    Workload llama = new Workload(MODELS.get(0), Q4_K_M, 8192, 1.0);
    for (String gpu : List.of("nvidia-rtx-3060-12gb", "nvidia-rtx-4060", "amd-rx-7800-xt")) {
      Rig rig = rig(r, pc(gpu, 1, 1), "ollama");
      double bound = rig.gpu().bandwidthBytesPerSecond() / llama.model().fileBytes(Q4_K_M);
      double claimed = (3.5 + 2 * r.nextDouble()) * bound;
      outliers.add(new Outlier(measure(r, rig, llama, 1, past(r, now), claimed * tokenSeconds(rig, llama) * session(r)),
          Rejection.ABOVE_PHYSICAL_BOUND,
          String.format("%.0f tok/s on one %s: a runtime build that under-reports eval_duration", claimed, rig.gpu().name())));
    }
    for (int i = 0; i < 3; i++) {
      Rig rig = rig(r, weighted(r, GPUS, GpuPick::weight), null);
      BenchmarkReport honest = measure(r, rig, rig.workloads().get(0), 1, past(r, now), session(r));
      double factor = 1.5 + r.nextDouble();
      Summary s = honest.getSummary();
      Summary edited = Summary.newBuilder(s)
          .setGenerationTokensPerSecondMedian(s.getGenerationTokensPerSecondMedian() * factor)
          .setGenerationTokensPerSecondMin(s.getGenerationTokensPerSecondMin() * factor)
          .setGenerationTokensPerSecondMax(s.getGenerationTokensPerSecondMax() * factor)
          .build();
      outliers.add(new Outlier(BenchmarkReport.newBuilder(honest).setSummary(edited).build(), Rejection.SUMMARY_MISMATCH,
          String.format("summary edited to claim %.1fx what its repetitions measured", factor)));
    }
    // Ollama leaves zero fields out of its last line: an eval_duration of 0 makes an infinite rate.
    Rig ollama = rig(r, pc("nvidia-rtx-3090", 1, 1), "ollama");
    BenchmarkReport report = measure(r, ollama, llama, 1, past(r, now), session(r));
    List<Repetition> reps = new ArrayList<>(report.getRepetitions());
    reps.set(2, Repetition.newBuilder(reps.get(2)).setGenerationDurationNanos(0L).build());
    outliers.add(new Outlier(BenchmarkReport.newBuilder(report).setRepetitions(reps).setSummary(summary(reps, List.of())).build(),
        Rejection.NON_FINITE_RATE, "one repetition without eval_duration: an infinite maximum rate"));
    Rig skewed = rig(r, weighted(r, GPUS, GpuPick::weight), null);
    outliers.add(new Outlier(measure(r, skewed, skewed.workloads().get(0), 1, now.plus(Duration.ofHours(6)), session(r)),
        Rejection.FUTURE_TIMESTAMP, "a rig whose clock runs six hours ahead"));
    return outliers;
  }

  /**
   * Poison payloads for the reports topic.
   *
   * @param reportSchemaId the id the registry gave the BenchmarkReport schema, so that a truncated
   *     body is read (and fails) rather than refused for its id
   */
  public List<Malformed> malformed(int reportSchemaId) {
    Random r = stream(4);
    Rig rig = rig(r, weighted(r, GPUS, GpuPick::weight), null);
    byte[] body = avroBody(measure(r, rig, rig.workloads().get(0), 1, past(r, now()), session(r)));
    byte[] noise = new byte[64 + r.nextInt(192)];
    r.nextBytes(noise);
    noise[0] = (byte) (1 + r.nextInt(255)); // anything but the wire format's magic byte 0
    return List.of(
        new Malformed("random bytes", Rejection.UNDECODABLE, noise),
        new Malformed("JSON instead of Avro", Rejection.UNDECODABLE,
            "{\"model\":\"llama3.1:8b\",\"gpu\":\"RTX 4090\",\"tokensPerSecond\":88.4}".getBytes(StandardCharsets.UTF_8)),
        new Malformed("wire-format header cut short", Rejection.UNDECODABLE, new byte[] {0, 0, 0}),
        new Malformed("report truncated halfway", Rejection.UNDECODABLE, frame(reportSchemaId, Arrays.copyOf(body, body.length / 2))),
        new Malformed("report followed by stray bytes", Rejection.UNDECODABLE, frame(reportSchemaId, Arrays.copyOf(body, body.length + 8))),
        new Malformed("writer schema id the registry never issued", Rejection.UNKNOWN_SCHEMA_ID, frame(reportSchemaId + 100_000, body)));
  }

  /** Confluent wire format: magic byte, schema id, Avro body. */
  static byte[] frame(int schemaId, byte[] body) {
    return ByteBuffer.allocate(WireFormat.HEADER_SIZE + body.length).put(WireFormat.MAGIC_BYTE).putInt(schemaId).put(body).array();
  }

  /** The plain Avro binary encoding of a report, as the serializer writes it after the header. */
  static byte[] avroBody(BenchmarkReport report) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    try {
      new SpecificDatumWriter<>(BenchmarkReport.class).write(report, encoder);
      encoder.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private List<Rig> buildFleet(int size) {
    Random r = stream(1);
    List<Rig> rigs = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      rigs.add(rig(r, weighted(r, GPUS, GpuPick::weight), null));
    }
    return List.copyOf(rigs);
  }

  private static Rig rig(Random r, GpuPick gpuPick, String forcedRuntime) {
    GpuSpec gpu = GpuCatalog.shared().byId(gpuPick.id()).orElseThrow(() -> new IllegalStateException("GPU catalog lacks " + gpuPick.id()));
    GpuVendor vendor = GpuVendor.valueOf(gpu.vendor());
    boolean apple = vendor == GpuVendor.APPLE;
    boolean laptop = gpu.segment().equals("laptop");
    boolean workstation = gpu.segment().equals("workstation");
    String os;
    if (apple) {
      os = "macos";
    } else if (vendor == GpuVendor.AMD || workstation) {
      os = "linux"; // ROCm is at home on Linux
    } else {
      os = r.nextDouble() < (laptop ? 0.6 : 0.35) ? "windows" : "linux";
    }
    boolean windows = os.equals("windows");
    double u = r.nextDouble();
    String runtime = forcedRuntime != null ? forcedRuntime : u < 0.7 ? "ollama" : (u < 0.9 || os.equals("linux")) ? "llama.cpp" : "lmstudio";

    long ramBytes;
    long cardVram;
    long usable;
    if (apple) {
      ramBytes = pick(r, gpuPick.unifiedMemoryGb()) * GIB;
      cardVram = ramBytes;
      usable = Math.round(0.7 * ramBytes); // macOS lets Metal wire about 70 % of unified memory by default
    } else {
      List<Integer> sizesGb = workstation ? List.of(128, 256) : List.of(16, 32, 32, 64, 64, 128);
      ramBytes = Math.round(pick(r, sizesGb) * GIB * (0.96 + 0.02 * r.nextDouble())) / 1024 * 1024; // MemTotal, in kB
      cardVram = gpu.vramBytes() - r.nextInt(16) * MIB; // tools report a little less than the marketed size
      usable = cardVram * gpuPick.cards() - 400 * MIB; // the desktop and the CUDA/ROCm context keep some
    }
    String driver = switch (vendor) {
      case NVIDIA -> pick(r, windows ? NVIDIA_WINDOWS_DRIVERS : NVIDIA_LINUX_DRIVERS);
      case AMD -> pick(r, AMD_DRIVERS);
      default -> null; // system_profiler gives no driver version
    };
    CpuModel cpu = apple ? new CpuModel(gpu.aliases().get(0), gpuPick.appleCpuCores(), gpuPick.appleCpuCores())
        : workstation ? WORKSTATION_CPU : pick(r, laptop ? LAPTOP_CPUS : DESKTOP_CPUS);
    String interconnect = gpuPick.cards() > 1 && vendor == GpuVendor.NVIDIA
        ? (gpu.id().equals("nvidia-rtx-3090") && r.nextDouble() < 0.3 ? "nvlink" : "pcie") : null;
    Hardware hardware = Hardware.newBuilder()
        .setGpus(List.of(Gpu.newBuilder().setVendor(vendor).setRawName(gpu.aliases().get(0)).setCanonicalId(gpu.id())
            .setVramBytes(cardVram).setDriverVersion(driver).setCount(gpuPick.cards()).build()))
        // Without /proc/cpuinfo (Windows) the agent knows only the JVM's processor count.
        .setCpu(Cpu.newBuilder().setModel(windows ? null : cpu.name()).setCores(windows ? null : cpu.cores()).setThreads(cpu.threads()).build())
        .setRamBytes(ramBytes)
        .setOs(operatingSystem(r, os))
        .setGpuInterconnect(interconnect)
        .build();

    Backend backend = Backend.valueOf(gpu.backend());
    double baseEfficiency = switch (backend) {
      case CUDA -> 0.78;
      case METAL -> 0.72;
      default -> 0.68;
    };
    // Layer split: each token still reads every layer once, from its own card, plus a hand-over.
    double efficiency = (baseEfficiency + 0.06 * (r.nextDouble() - 0.5)) * (gpuPick.cards() > 1 ? 0.92 : 1.0);
    double overheadMs = switch (backend) {
      case CUDA -> 3.0;
      case METAL -> 4.0;
      default -> 5.0;
    };
    overheadMs += switch (runtime) {
      case "ollama" -> 0.7;
      case "lmstudio" -> 1.2;
      default -> 0.0;
    };
    overheadMs += r.nextDouble() + (laptop ? 0.5 : 0.0);
    double promptFactor = switch (backend) {
      case CUDA -> 25 + 15 * r.nextDouble();
      case METAL -> 10 + 6 * r.nextDouble();
      default -> 15 + 10 * r.nextDouble();
    };
    String version = switch (runtime) {
      case "ollama" -> pick(r, OLLAMA_VERSIONS);
      case "llama.cpp" -> pick(r, LLAMA_CPP_BUILDS);
      default -> null; // the OpenAI-compatible API does not say
    };

    List<Workload> workloads = new ArrayList<>();
    int wanted = 1 + r.nextInt(4);
    for (int attempt = 0; attempt < 12 && workloads.size() < wanted; attempt++) {
      DemoModel m = weighted(r, MODELS, DemoModel::popularity);
      if (workloads.stream().noneMatch(chosen -> chosen.model() == m)) {
        Workload w = workload(r, m, runtime, usable, ramBytes, runtime.equals("ollama") && !apple);
        if (w != null) {
          workloads.add(w);
        }
      }
    }
    if (workloads.isEmpty()) {
      workloads.add(new Workload(MODELS.get(0), Q4_K_M, 4096, 1.0)); // every GPU in the fleet holds an 8B Q4_K_M at 4K
    }
    // Concurrency gain: g 3 to 3.5 and h 4 to 5 put two users at 75-85 % of the single-user rate each.
    return new Rig(uuid(r), gpu, gpuPick.cards(), laptop, runtime, version, backend, hardware, efficiency, overheadMs / 1000,
        lognormal(r, 0.06), (45 + 40 * r.nextDouble()) * GB, promptFactor, 3 + 0.5 * r.nextDouble(), 4 + r.nextDouble(),
        !runtime.equals("lmstudio") && r.nextDouble() < 0.15, List.copyOf(workloads));
  }

  /** A model this rig can run: wholly in GPU memory, or for a few Ollama users split with the CPU; null when it cannot. */
  private static Workload workload(Random r, DemoModel m, String runtime, long usable, long ramBytes, boolean mayOffload) {
    Quant q = choose(r, QUANT_MIX);
    if (q == F16 && m.parameters() > 10e9 || m.fileBytes(q) + 1.5 * GB > usable) {
      q = Q4_K_M;
    }
    int context = Math.min(choose(r, CONTEXT_MIX.get(runtime)), m.trainedContext());
    if (m.fileBytes(q) + 1.5 * GB <= usable) {
      while (context > 2048 && m.fileBytes(q) + m.kvBytes(context) + 600 * MIB > usable) {
        context /= 2;
      }
      return new Workload(m, q, context, 1.0);
    }
    context = Math.min(context, 8192);
    if (!mayOffload || r.nextDouble() > 0.3 || m.fileBytes(q) > usable + ramBytes / 2) {
      return null;
    }
    double total = m.fileBytes(q) + m.kvBytes(context) + 550 * MIB;
    return new Workload(m, q, context, Math.min(0.95, (usable - 300 * MIB) / total));
  }

  /** Seconds per generated token for one user: fixed cost plus the weights read from GPU memory and, when split, from system RAM. */
  private static double tokenSeconds(Rig rig, Workload w) {
    double weights = w.model().fileBytes(w.quant());
    double gpu = weights * w.offload() / (rig.efficiency() * rig.gpu().bandwidthBytesPerSecond());
    double cpu = weights * (1 - w.offload()) / (0.6 * rig.ramBandwidth());
    return (rig.overheadSeconds() + gpu + cpu) / rig.speed();
  }

  /** Aggregate over single-user rate: one read of the weights serves every stream until compute saturates. */
  private static double gain(Rig rig, int users) {
    return 1 + rig.gain() * (users - 1) / (users - 1 + rig.halfUsers());
  }

  /**
   * One probe of one shape, as the agent's ReportBuilder would publish it.
   *
   * @param speed the sitting's factor on the rig's rates (day-to-day noise; a misreporting runtime's inflation)
   */
  private static BenchmarkReport measure(Random r, Rig rig, Workload w, int users, Instant finishedAt, double speed) {
    boolean ollama = rig.runtime().equals("ollama");
    double single = speed / tokenSeconds(rig, w);
    double perUser = single * gain(rig, users) / users;
    // Prompt processing is compute-bound: parallel prompts mostly share it.
    double promptRate = single * rig.promptFactor() * (w.offload() < 1 ? 0.3 : 1.0) * (1 + 0.25 * (users - 1)) / users;
    int promptTokens = PROMPT_TOKENS - 4 + r.nextInt(9); // the calibrated prompt lands within a few tokens
    double repetitionNoise = rig.laptop() ? 0.04 : 0.02; // laptops throttle
    List<Repetition> reps = new ArrayList<>();
    List<Double> aggregates = new ArrayList<>();
    for (int rep = 0; rep < REPETITIONS; rep++) {
      long wall = 0;
      for (int stream = 0; stream < users; stream++) {
        double rate = perUser * lognormal(r, repetitionNoise);
        long generationNanos = Math.round(GENERATED_TOKENS / rate * 1e9);
        long promptNanos = Math.round(promptTokens / (promptRate * lognormal(r, 0.03)) * 1e9);
        wall = Math.max(wall, generationNanos);
        reps.add(Repetition.newBuilder()
            .setPromptTokens(promptTokens)
            .setPromptDurationNanos(promptNanos)
            .setGeneratedTokens(GENERATED_TOKENS)
            .setGenerationDurationNanos(generationNanos)
            .setTimeToFirstTokenNanos(promptNanos + Math.round(1e9 / rate) + 2_000_000L + r.nextInt(6_000_000))
            .setLoadDurationNanos(ollama ? 8_000_000L + r.nextInt(50_000_000) : null)
            .build());
      }
      if (users > 1) {
        aggregates.add(users * GENERATED_TOKENS / (wall * (1 + 0.02 * r.nextDouble()) / 1e9));
      }
    }
    // Ollama's /api/ps size: weights, KV cache and the runtime's buffers; size_vram is the part on the GPU.
    long size = w.model().fileBytes(w.quant()) + w.model().kvBytes(w.context()) + 450_000_000L + r.nextInt(150_000_000);
    long sizeVram = w.offload() >= 1 ? size : Math.round(size * w.offload());
    Summary summary = summary(reps, aggregates);
    double mean = reps.stream().mapToDouble(DemoFleet::rate).average().orElseThrow();
    return BenchmarkReport.newBuilder()
        .setReportId(uuid(r))
        .setSchemaVersion(SCHEMA_VERSION)
        .setAgentVersion(AGENT_VERSION)
        .setSuiteId(SUITE_ID)
        .setMeasuredAt(finishedAt)
        .setRigId(rig.id())
        .setHardware(Hardware.newBuilder(rig.hardware()).build())
        .setRuntime(Runtime.newBuilder().setName(rig.runtime()).setVersion(rig.runtimeVersion()).setBackend(rig.backend()).build())
        .setModel(model(rig.runtime(), w))
        .setSettings(Settings.newBuilder()
            .setContextLength(w.context())
            .setPromptTokens(PROMPT_TOKENS)
            .setGeneratedTokens(GENERATED_TOKENS)
            .setConcurrency(users)
            .setGpuOffloadFraction(ollama ? Math.min(1.0, (double) sizeVram / size) : null)
            .setGpuLayers(null)
            .setTemperature(0.0)
            .setSeed(SUITE_SEED)
            .setGpusUsed(rig.cards())
            .build())
        .setRepetitions(reps)
        .setSummary(summary)
        // Only Ollama says how a model sits in memory.
        .setMemory(MemoryObserved.newBuilder().setVramUsedBytes(ollama ? sizeVram : null).setRamUsedBytes(ollama ? size - sizeVram : null).build())
        .setTiming(TimingSources.newBuilder().setGeneration(TimingSource.RUNTIME).setPrompt(TimingSource.RUNTIME).setTimeToFirstToken(TimingSource.CLIENT).build())
        .setFlags(ProbeFlags.newBuilder()
            .setNoisy(summary.getGenerationTokensPerSecondStddev() / mean > NOISY_VARIATION)
            .setPromptTruncated(false)
            .setPartialOffload(w.offload() < 1)
            .build())
        .setPower(power(r, rig, w, users, summary.getGenerationTokensPerSecondMedian()))
        .build();
  }

  /** The model as each runtime describes it: Ollama says everything, llama-server the file, LM Studio's API only the name. */
  private static Model model(String runtime, Workload w) {
    DemoModel m = w.model();
    Quant q = w.quant();
    return switch (runtime) {
      case "ollama" -> Model.newBuilder().setName(m.ollamaName(q)).setFamily(m.family()).setParameterCount(m.parameters())
          .setQuantization(q.name()).setDigest(digest(m.ollamaName(q))).setFileSizeBytes(m.fileBytes(q)).setArchitecture(m.architecture()).build();
      case "llama.cpp" -> Model.newBuilder().setName(m.ggufName() + "-" + q.name() + ".gguf").setFamily(null).setParameterCount(m.parameters())
          .setQuantization(q.name()).setDigest(null).setFileSizeBytes(m.fileBytes(q)).setArchitecture(null).build();
      default -> Model.newBuilder().setName(m.lmStudioId()).setFamily(null).setParameterCount(null)
          .setQuantization(null).setDigest(null).setFileSizeBytes(null).setArchitecture(null).build();
    };
  }

  /** Order statistics exactly as the agent computes them, so the validator's recomputation agrees. */
  static Summary summary(List<Repetition> reps, List<Double> aggregates) {
    double[] rates = reps.stream().mapToDouble(DemoFleet::rate).sorted().toArray();
    double[] prompt = reps.stream().filter(x -> x.getPromptDurationNanos() != null && x.getPromptDurationNanos() > 0)
        .mapToDouble(x -> x.getPromptTokens() / (x.getPromptDurationNanos() / 1e9)).sorted().toArray();
    double[] ttft = reps.stream().mapToDouble(x -> x.getTimeToFirstTokenNanos() / 1e6).sorted().toArray();
    double mean = Arrays.stream(rates).average().orElseThrow();
    double stddev = Math.sqrt(Arrays.stream(rates).map(v -> (v - mean) * (v - mean)).sum() / Math.max(1, rates.length - 1));
    return Summary.newBuilder()
        .setGenerationTokensPerSecondMedian(OrderStatistics.percentile(rates, 50))
        .setGenerationTokensPerSecondMin(rates[0])
        .setGenerationTokensPerSecondMax(rates[rates.length - 1])
        .setPromptTokensPerSecondMedian(prompt.length == 0 ? null : OrderStatistics.percentile(prompt, 50))
        .setTimeToFirstTokenMillisMedian(OrderStatistics.percentile(ttft, 50))
        .setGenerationTokensPerSecondStddev(stddev)
        .setTimeToFirstTokenMillisP95(OrderStatistics.percentile(ttft, 95))
        .setAggregateTokensPerSecond(aggregates.isEmpty() ? null : OrderStatistics.median(aggregates.stream().mapToDouble(Double::doubleValue).toArray()))
        .build();
  }

  private static double rate(Repetition rep) {
    return rep.getGeneratedTokens() / (rep.getGenerationDurationNanos() / 1e9);
  }

  /** nvidia-smi board power, NVIDIA only; near the card's limit while it streams weights. */
  private static PowerObserved power(Random r, Rig rig, Workload w, int users, double medianRate) {
    if (!rig.gpu().vendor().equals("NVIDIA")) {
      return null;
    }
    double watts = (50 + 0.28 * rig.gpu().bandwidthGBs()) * (rig.laptop() ? 0.55 : 1.0) * (rig.cards() > 1 ? 1.3 : 1.0)
        * (w.offload() < 1 ? 0.45 : 1.0) * (1 + 0.1 * (users - 1) / users) * lognormal(r, 0.06);
    return PowerObserved.newBuilder().setAverageGpuWatts(watts).setTokensPerSecondPerWatt(medianRate / watts).build();
  }

  /** A stable stand-in for Ollama's manifest digest: same tag, same digest, on every rig. */
  private static String digest(String ollamaName) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(("tokbench-demo/" + ollamaName).getBytes(StandardCharsets.UTF_8));
      return "sha256:" + HexFormat.of().formatHex(hash);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Version-4 layout, like the agent's UUID.randomUUID(), but drawn from the seed. */
  private static UUID uuid(Random r) {
    return new UUID((r.nextLong() & ~0xF000L) | 0x4000L, (r.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L);
  }

  /** Day-to-day variation of one sitting (thermals, background load, driver state). */
  private static double session(Random r) {
    return lognormal(r, 0.02);
  }

  private static double lognormal(Random r, double sigma) {
    return Math.exp(sigma * r.nextGaussian());
  }

  private static Instant past(Random r, Instant now) {
    return now.minusSeconds(300 + r.nextInt(4 * 86_400));
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MILLIS); // timestamp-millis: what the consumer will read back
  }

  /** Independent generators per purpose, so calling one accessor never changes what another returns. */
  private Random stream(long purpose) {
    return new Random(seed * 0x9E3779B97F4A7C15L + purpose);
  }
}
