package io.tokbench.agent.importer;

import io.tokbench.agent.detect.Rig;
import io.tokbench.agent.gguf.FileTypes;
import io.tokbench.agent.gguf.GgufFacts;
import io.tokbench.agent.probe.ModelNames;
import io.tokbench.agent.probe.ReportBuilder;
import io.tokbench.agent.probe.Samples;
import io.tokbench.agent.residence.GpuLayers;
import io.tokbench.schema.Backend;
import io.tokbench.schema.BackendSource;
import io.tokbench.schema.BenchmarkReport;
import io.tokbench.schema.ImportTool;
import io.tokbench.schema.ImportedFrom;
import io.tokbench.schema.MemoryObserved;
import io.tokbench.schema.Model;
import io.tokbench.schema.OffloadMethod;
import io.tokbench.schema.ProbeFlags;
import io.tokbench.schema.Repetition;
import io.tokbench.schema.Runtime;
import io.tokbench.schema.Settings;
import io.tokbench.schema.Summary;
import io.tokbench.schema.TimingSource;
import io.tokbench.schema.TimingSources;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Turns llama-bench rows into reports: one per generation row (tgN, at any depth), carrying the
 * prompt rate of the prompt row (ppN) of the same run and depth when there is exactly one. A
 * report needs a generation rate, so a prompt row stands in no report of its own; a combined
 * pp+tg row measures neither rate alone and is skipped. Both are listed as skipped.
 *
 * <p>The suite id names the test ({@code llama-bench-pp512-tg128}, {@code ...-d512}), so imported
 * reports never share a table row with the probe's ({@code tokbench-suite-1}): llama-bench's tg128
 * runs at depth 0, the probe generates after its prompt. The report id is derived from the rig and
 * the row, so importing a file twice publishes the same reports, which the aggregator counts once.
 */
public final class LlamaBenchReports {
  public static final String SUITE_PREFIX = "llama-bench-";

  /** What the import made of a file. */
  public record Result(List<BenchmarkReport> reports, List<String> skipped) {}

  /**
   * @param rig the detected rig, or the GPU the importer named
   * @param hardwareDetected whether {@code rig} was detected here
   * @param modelName the name to publish under, when the importer gave one
   * @param ggufByFile model file headers by the model_filename llama-bench wrote, for files on this machine
   */
  public record Context(UUID rigId, String agentVersion, Rig rig, boolean hardwareDetected, LlamaBenchFormat format, Optional<String> modelName,
      Map<String, GgufFacts> ggufByFile, Instant importedAt) {

    /** The header of the row's model file, read where the file is on this machine. */
    Optional<GgufFacts> gguf(LlamaBenchRow row) {
      return row.field("model_filename").map(ggufByFile::get);
    }
  }

  private LlamaBenchReports() {}

  public static Result build(List<LlamaBenchRow> rows, Context context) {
    List<BenchmarkReport> reports = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    for (LlamaBenchRow row : rows) {
      if (row.test().generationOnly()) {
        List<LlamaBenchRow> prompts = rows.stream()
            .filter(p -> p.test().promptOnly() && p.test().depth() == row.test().depth() && p.configuration().equals(row.configuration()))
            .toList();
        reports.add(report(row, prompts.size() == 1 ? Optional.of(prompts.get(0)) : Optional.empty(), context));
      } else if (!row.test().promptOnly()) {
        skipped.add("row " + row.number() + " (" + row.test().label() + "): a combined prompt and generation test times neither rate alone");
      } else if (rows.stream().noneMatch(g -> g.test().generationOnly() && g.test().depth() == row.test().depth() && g.configuration().equals(row.configuration()))) {
        skipped.add("row " + row.number() + " (" + row.test().label() + "): a prompt test without a generation test of the same run; a report needs a generation rate");
      }
    }
    return new Result(reports, skipped);
  }

  private static BenchmarkReport report(LlamaBenchRow gen, Optional<LlamaBenchRow> prompt, Context context) {
    int tokens = gen.test().generatedTokens();
    List<Repetition> repetitions = new ArrayList<>();
    List<Double> rates = new ArrayList<>();
    List<Long> durations = gen.samplesNs().isEmpty() ? List.of(Math.round(tokens / gen.avgTs() * 1e9)) : gen.samplesNs();
    for (long nanos : durations) {
      repetitions.add(Repetition.newBuilder().setPromptTokens(0).setGeneratedTokens(tokens).setGenerationDurationNanos(nanos).build());
      rates.add(tokens / (nanos / 1e9));
    }
    Samples rate = Samples.of(rates);
    Backend backend = backend(gen.field("backends").orElse(""));
    Offload offload = offload(gen, backend, context);
    String quantization = gen.field("model_type").flatMap(LlamaBenchReports::quantizationOf).or(() -> context.gguf(gen).flatMap(GgufFacts::quantization))
        .orElse(null);
    int depth = gen.test().depth();
    String suite = SUITE_PREFIX + prompt.map(p -> "pp" + p.test().promptTokens() + "-").orElse("") + "tg" + tokens + (depth > 0 ? "-d" + depth : "");

    return BenchmarkReport.newBuilder()
        .setReportId(reportId(context, gen))
        .setSchemaVersion(ReportBuilder.SCHEMA_VERSION)
        .setAgentVersion(context.agentVersion())
        .setSuiteId(suite)
        .setMeasuredAt(gen.testTime().orElse(context.importedAt()))
        .setRigId(context.rigId())
        .setHardware(context.rig().toHardware())
        .setRuntime(Runtime.newBuilder()
            .setName("llama.cpp")
            .setVersion(gen.field("build_number").map(n -> "b" + n + gen.field("build_commit").map(c -> "-" + c).orElse("")).orElse(null))
            .setBackend(backend)
            .setBackendSource(backend == Backend.UNKNOWN ? null : BackendSource.RUNTIME_REPORTED)
            .build())
        .setModel(Model.newBuilder()
            .setName(modelName(gen, context))
            .setFamily(gen.field("model_type").map(t -> t.split("\\s+")[0]).or(() -> context.gguf(gen).flatMap(GgufFacts::architecture)).orElse(null))
            .setParameterCount(gen.field("model_n_params").flatMap(LlamaBenchReports::positiveLong).orElse(null))
            .setQuantization(quantization)
            .setFileSizeBytes(gen.field("model_size").flatMap(LlamaBenchReports::positiveLong).orElse(null))
            .setArchitecture(context.gguf(gen).flatMap(GgufFacts::toArchitecture).orElse(null))
            .build())
        .setSettings(Settings.newBuilder()
            // llama-bench sizes the context to the test: depth + prompt + generated tokens.
            .setContextLength(depth + tokens)
            .setPromptTokens(prompt.map(p -> p.test().promptTokens()).orElse(0))
            .setGeneratedTokens(tokens)
            .setConcurrency(1)
            .setGpuOffloadFraction(offload.fraction())
            .setGpuLayers(offload.layers())
            .setOffloadMethod(offload.method())
            .setTemperature(0.0)
            .setGpusUsed(backend == Backend.CPU ? 0 : context.rig().gpuCount())
            .setGenerationDepthTokens(depth)
            .build())
        .setRepetitions(repetitions)
        .setSummary(Summary.newBuilder()
            .setGenerationTokensPerSecondMedian(rate.median())
            .setGenerationTokensPerSecondMin(rate.min())
            .setGenerationTokensPerSecondMax(rate.max())
            .setGenerationTokensPerSecondStddev(gen.stddevTs().isPresent() ? gen.stddevTs().getAsDouble() : rate.stddev())
            .setPromptTokensPerSecondMedian(prompt.map(LlamaBenchReports::medianRate).orElse(null))
            .build())
        .setMemory(MemoryObserved.newBuilder().build())
        .setTiming(TimingSources.newBuilder().setGeneration(TimingSource.RUNTIME).setPrompt(TimingSource.RUNTIME).build())
        .setFlags(ProbeFlags.newBuilder().setPartialOffload(offload.partial()).build())
        .setImportedFrom(ImportedFrom.newBuilder()
            .setTool(ImportTool.LLAMA_BENCH)
            .setFormat(context.format().schemaFormat())
            .setSamples(!gen.samplesNs().isEmpty())
            .setHardwareDetected(context.hardwareDetected())
            .build())
        .build();
  }

  private static double medianRate(LlamaBenchRow prompt) {
    if (prompt.samplesNs().isEmpty()) {
      return prompt.avgTs();
    }
    return Samples.of(prompt.samplesNs().stream().map(ns -> prompt.test().promptTokens() / (ns / 1e9)).toList()).median();
  }

  /** The file name without its directories: a path can hold a user name (see {@link ModelNames}). */
  private static String modelName(LlamaBenchRow row, Context context) {
    return context.modelName().map(ModelNames::withoutPath)
        .or(() -> row.field("model_filename").map(ModelNames::withoutPath))
        .orElseThrow(() -> new ImportFormatException("row " + row.number() + " does not name its model file (llama-bench -o md shows only the model's type): "
            + "name the model with --model"));
  }

  /** "qwen2 7B Q4_K - Medium" → Q4_K_M: the type after the architecture and size. */
  static Optional<String> quantizationOf(String modelType) {
    String[] parts = modelType.strip().split("\\s+", 3);
    return parts.length < 3 ? Optional.empty() : FileTypes.fromDescription(parts[2]);
  }

  /** llama-bench's "backends" lists the ggml backends of the build, e.g. "CUDA", "Metal,BLAS", "Vulkan", "CPU". */
  static Backend backend(String backends) {
    Backend found = Backend.UNKNOWN;
    for (String name : backends.split("[,\\s]+")) {
      Backend b = switch (name.toUpperCase(Locale.ROOT)) {
        case "CUDA" -> Backend.CUDA;
        case "ROCM", "HIP" -> Backend.ROCM;
        case "METAL", "MTL" -> Backend.METAL;
        case "VULKAN" -> Backend.VULKAN;
        case "SYCL" -> Backend.SYCL;
        case "CPU" -> Backend.CPU;
        default -> null;
      };
      if (b != null && (found == Backend.UNKNOWN || found == Backend.CPU)) {
        found = b;
      }
    }
    return found;
  }

  private record Offload(Double fraction, Integer layers, OffloadMethod method, boolean partial) {}

  /**
   * From the layers the run asked to offload: on a GPU backend, n_gpu_layers -1 (current default)
   * or at least the model's layers offloads everything; 0 nothing; anything between, part; MoE
   * experts kept on the CPU (n_cpu_moe) make it partial. A CPU build offloads nothing.
   */
  private static Offload offload(LlamaBenchRow row, Backend backend, Context context) {
    if (backend == Backend.CPU) {
      return new Offload(0.0, 0, OffloadMethod.NO_GPU_BACKEND, false);
    }
    Optional<Integer> ngl = row.field("n_gpu_layers").flatMap(LlamaBenchReports::integer);
    if (backend == Backend.UNKNOWN || ngl.isEmpty()) {
      return new Offload(null, null, OffloadMethod.UNKNOWN, false);
    }
    int layers = ngl.get();
    OptionalInt blocks = context.gguf(row).map(GgufFacts::blockCount).orElse(OptionalInt.empty());
    boolean cpuExperts = row.field("n_cpu_moe").flatMap(LlamaBenchReports::integer).orElse(0) > 0;
    OptionalDouble share = GpuLayers.share(layers, blocks);
    if (layers == 0) {
      return new Offload(0.0, 0, OffloadMethod.LAYERS_REQUESTED, false);
    }
    if (share.orElse(0) == 1.0 && !cpuExperts) {
      return new Offload(1.0, layers < 0 ? null : layers, OffloadMethod.LAYERS_REQUESTED, false);
    }
    Double fraction = cpuExperts || share.isEmpty() ? null : share.getAsDouble();
    return new Offload(fraction, layers < 0 ? null : layers, OffloadMethod.LAYERS_REQUESTED, true);
  }

  private static UUID reportId(Context context, LlamaBenchRow row) {
    Map<String, String> identity = new TreeMap<>(row.configuration());
    identity.put("rig", context.rigId().toString());
    identity.put("test", row.test().label());
    identity.put("time", row.testTime().map(Instant::toString).orElse(""));
    identity.put("avg_ts", Double.toString(row.avgTs()));
    identity.put("samples", row.samplesNs().toString());
    return UUID.nameUUIDFromBytes(identity.toString().getBytes(StandardCharsets.UTF_8));
  }

  private static Optional<Long> positiveLong(String value) {
    try {
      long n = Long.parseLong(value.strip());
      return n > 0 ? Optional.of(n) : Optional.empty();
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static Optional<Integer> integer(String value) {
    try {
      return Optional.of(Integer.parseInt(value.strip()));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
