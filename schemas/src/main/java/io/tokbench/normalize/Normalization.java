package io.tokbench.normalize;

import io.tokbench.catalog.GpuCatalog;
import io.tokbench.catalog.GpuSpec;
import io.tokbench.catalog.ModelCatalog;
import io.tokbench.schema.Backend;
import io.tokbench.schema.BenchmarkReport;
import io.tokbench.schema.Gpu;
import io.tokbench.schema.OffloadClass;
import io.tokbench.schema.StatsKey;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * The rules that decide which reports are comparable, shared by the aggregator (which keys its
 * tables with them) and anyone reading the tables: canonical GPU and model, quantization and
 * runtime spellings, context bucket, offload class.
 */
public final class Normalization {
  /** Context buckets, in tokens: 2K to 128K. */
  public static final List<Integer> CONTEXT_BUCKETS = List.of(2048, 4096, 8192, 16384, 32768, 65536, 131072);
  /** A model resident at or above this share of GPU memory counts as fully on the GPU. */
  public static final double FULL_OFFLOAD = 0.999;

  private Normalization() {}

  /** The statistics key a report belongs to. */
  public static StatsKey key(BenchmarkReport report) {
    OffloadClass offload = offloadClass(report);
    boolean onCpu = offload == OffloadClass.CPU_ONLY;
    return new StatsKey(
        model(report.getModel().getName(), report.getModel().getDigest()),
        onCpu ? "cpu" : gpu(report),
        onCpu ? 0 : gpuCount(report),
        quantization(report.getModel().getQuantization()),
        runtime(report.getRuntime().getName()),
        contextBucket(report.getSettings().getContextLength()),
        report.getSuiteId(),
        offload,
        report.getSettings().getConcurrency(),
        onCpu ? Backend.CPU.name() : report.getRuntime().getBackend().name());
  }

  /** Canonical model id; a model the catalog does not know keeps its name, without quant suffix. */
  public static String model(String runtimeName, String digest) {
    return ModelCatalog.shared().match(runtimeName, digest).map(ModelCatalog.Entry::id)
        .orElseGet(() -> "raw:" + stripQuant(runtimeName.trim().toLowerCase(Locale.ROOT)));
  }

  private static final Pattern GGUF_EXTENSION = Pattern.compile("\\.gguf$");
  private static final Pattern QUANT_SUFFIX = Pattern.compile("[-._:](i?q\\d[_a-z0-9]*|fp16|bf16|f16|fp32|f32|mxfp4)$");

  private static String stripQuant(String name) {
    return QUANT_SUFFIX.matcher(GGUF_EXTENSION.matcher(name).replaceFirst("")).replaceFirst("");
  }

  /** Canonical GPU id of the report's first GPU, or "unknown:<raw name>" when the catalog lacks it. */
  public static String gpu(BenchmarkReport report) {
    List<Gpu> gpus = report.getHardware().getGpus();
    if (gpus.isEmpty()) {
      return "cpu";
    }
    return catalogGpu(gpus.get(0)).map(GpuSpec::id)
        .orElseGet(() -> "unknown:" + GpuCatalog.normalize(gpus.get(0).getRawName()));
  }

  /** The catalog entry of a reported GPU: the agent's canonical id if this catalog knows it, else the raw name. */
  public static Optional<GpuSpec> catalogGpu(Gpu gpu) {
    if (gpu.getCanonicalId() != null) {
      Optional<GpuSpec> byId = GpuCatalog.shared().byId(gpu.getCanonicalId());
      if (byId.isPresent()) {
        return byId;
      }
    }
    return GpuCatalog.shared().match(gpu.getRawName(), OptionalInt.empty(),
        gpu.getVramBytes() == null ? OptionalLong.empty() : OptionalLong.of(gpu.getVramBytes()));
  }

  /** GPUs the runtime used: what the agent reported, else every GPU of the rig. */
  public static int gpuCount(BenchmarkReport report) {
    Integer used = report.getSettings().getGpusUsed();
    if (used != null && used > 0) {
      return used;
    }
    return Math.max(1, report.getHardware().getGpus().stream().mapToInt(Gpu::getCount).sum());
  }

  /** "q4_K_M" → "Q4_K_M", "fp16" → "F16", missing → "UNKNOWN". */
  public static String quantization(String quant) {
    if (quant == null || quant.isBlank()) {
      return "UNKNOWN";
    }
    String q = quant.trim().toUpperCase(Locale.ROOT).replace('-', '_');
    return switch (q) {
      case "FP16" -> "F16";
      case "FP32" -> "F32";
      default -> q;
    };
  }

  /** One spelling per runtime. */
  public static String runtime(String name) {
    String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
    return switch (n) {
      case "llama.cpp", "llamacpp", "llama-cpp", "llama-server", "llama.cpp server" -> "llama.cpp";
      case "lmstudio", "lm studio", "lm-studio" -> "lmstudio";
      case "" -> "unknown";
      default -> n;
    };
  }

  /** The largest bucket not above the context (2K at the least, 128K at the most). */
  public static int contextBucket(int contextLength) {
    int bucket = CONTEXT_BUCKETS.get(0);
    for (int candidate : CONTEXT_BUCKETS) {
      if (candidate <= contextLength) {
        bucket = candidate;
      }
    }
    return bucket;
  }

  /** Full GPU, CPU/GPU split, or CPU only: never mixed in one row. */
  public static OffloadClass offloadClass(BenchmarkReport report) {
    Double fraction = report.getSettings().getGpuOffloadFraction();
    if (report.getRuntime().getBackend() == Backend.CPU || report.getHardware().getGpus().isEmpty() || (fraction != null && fraction <= 0.0)) {
      return OffloadClass.CPU_ONLY;
    }
    if (fraction != null) {
      return fraction >= FULL_OFFLOAD ? OffloadClass.FULL_GPU : OffloadClass.PARTIAL_OFFLOAD;
    }
    return report.getFlags().getPartialOffload() ? OffloadClass.PARTIAL_OFFLOAD : OffloadClass.UNKNOWN;
  }

  /** "Q4_K_M · Ollama · Linux · 8K ctx", as community sites show a setup. */
  public static String setupLabel(String quantization, String runtime, String os, int contextBucket) {
    String runtimeLabel = switch (runtime) {
      case "ollama" -> "Ollama";
      case "llama.cpp" -> "llama.cpp";
      case "lmstudio" -> "LM Studio";
      case "vllm" -> "vLLM";
      case "sglang" -> "SGLang";
      default -> runtime;
    };
    String osLabel = os == null ? "?" : switch (os) {
      case "linux" -> "Linux";
      case "macos" -> "macOS";
      case "windows" -> "Windows";
      default -> os;
    };
    return quantization + " · " + runtimeLabel + " · " + osLabel + " · " + (contextBucket / 1024) + "K ctx";
  }
}
