package io.tokbench.aggregator.validate;

import io.tokbench.schema.Architecture;
import io.tokbench.schema.BenchmarkReport;
import io.tokbench.schema.Gpu;
import io.tokbench.schema.MemoryObserved;
import io.tokbench.schema.Model;
import io.tokbench.schema.PowerObserved;
import io.tokbench.schema.Repetition;
import io.tokbench.schema.Settings;
import io.tokbench.schema.Summary;
import io.tokbench.serde.ForPeople;
import java.util.List;
import java.util.Optional;

/**
 * The domain of every field of a report. Reports come from anyone, so nothing is assumed: a string
 * that becomes part of a table key may only hold letters, digits and a few punctuation marks, and
 * is short; every other string is printable and bounded; every number lies in a range no real rig
 * leaves. A violation names the field, its value and the domain. The bounds are generous (ten times
 * beyond today's largest hardware and models), so they refuse nonsense, not progress.
 */
public final class FieldDomains {
  /** Besides letters and digits, what a model, GPU or runtime name may hold. */
  private static final String KEY_PUNCTUATION = " ._-:/+@()[]#,'&";
  static final int MAX_TEXT = 256;

  static final long KIB = 1024;
  static final long TIB = KIB * KIB * KIB * KIB;
  static final long DAY_NANOS = 86_400_000_000_000L;
  static final int MAX_TOKENS = 100_000_000;
  static final int MAX_GPUS = 64;
  static final int MAX_REPETITIONS = 10_000;

  private FieldDomains() {}

  /** The first field outside its domain, or empty. */
  public static Optional<Rejection> check(BenchmarkReport report) {
    Check c = new Check();
    c.keyText("suiteId", report.getSuiteId(), 64);
    c.text("agentVersion", report.getAgentVersion(), 64);
    c.range("schemaVersion", report.getSchemaVersion(), 0, 1_000);

    List<Gpu> gpus = report.getHardware().getGpus();
    c.range("hardware.gpus (count)", gpus.size(), 0, MAX_GPUS);
    for (int i = 0; i < gpus.size() && c.ok(); i++) {
      Gpu gpu = gpus.get(i);
      String at = "hardware.gpus[" + i + "].";
      c.keyText(at + "rawName", gpu.getRawName(), 128);
      c.keyText(at + "canonicalId", gpu.getCanonicalId(), 64);
      c.text(at + "driverVersion", gpu.getDriverVersion(), 64);
      c.range(at + "vramBytes", gpu.getVramBytes(), 0, 16 * TIB);
      c.range(at + "count", gpu.getCount(), 1, MAX_GPUS);
    }
    c.text("hardware.cpu.model", report.getHardware().getCpu().getModel(), MAX_TEXT);
    c.range("hardware.cpu.cores", report.getHardware().getCpu().getCores(), 0, 100_000);
    c.range("hardware.cpu.threads", report.getHardware().getCpu().getThreads(), 0, 100_000);
    c.range("hardware.ramBytes", report.getHardware().getRamBytes(), 0, 1024 * TIB);
    c.keyText("hardware.os.name", report.getHardware().getOs().getName(), 32);
    c.text("hardware.os.version", report.getHardware().getOs().getVersion(), 128);
    c.text("hardware.os.kernel", report.getHardware().getOs().getKernel(), 128);
    c.text("hardware.os.architecture", report.getHardware().getOs().getArchitecture(), 32);
    c.text("hardware.gpuInterconnect", report.getHardware().getGpuInterconnect(), 32);

    c.keyText("runtime.name", report.getRuntime().getName(), 64);
    c.keyText("runtime.version", report.getRuntime().getVersion(), 64);

    Model model = report.getModel();
    c.keyText("model.name", model.getName(), 200);
    c.keyText("model.family", model.getFamily(), 64);
    c.keyText("model.quantization", model.getQuantization(), 32);
    c.text("model.digest", model.getDigest(), 128);
    c.range("model.parameterCount", model.getParameterCount(), 1, 100_000_000_000_000L);
    c.range("model.fileSizeBytes", model.getFileSizeBytes(), 1, 1024 * TIB);
    Architecture arch = model.getArchitecture();
    if (arch != null) {
      c.range("model.architecture.blockCount", arch.getBlockCount(), 1, 10_000);
      c.range("model.architecture.attentionHeadCount", arch.getAttentionHeadCount(), 1, 10_000);
      c.range("model.architecture.attentionHeadCountKv", arch.getAttentionHeadCountKv(), 1, 10_000);
      c.range("model.architecture.embeddingLength", arch.getEmbeddingLength(), 1, 10_000_000);
      c.range("model.architecture.keyLength", arch.getKeyLength(), 1, 1_000_000);
      c.range("model.architecture.contextLengthTrained", arch.getContextLengthTrained(), 1, 1_000_000_000);
    }

    Settings settings = report.getSettings();
    c.range("settings.contextLength", settings.getContextLength(), 0, 1_000_000_000); // 0: the server did not say
    c.range("settings.generationDepthTokens", settings.getGenerationDepthTokens(), 0, MAX_TOKENS);
    c.range("settings.promptTokens", settings.getPromptTokens(), 0, MAX_TOKENS);
    c.range("settings.generatedTokens", settings.getGeneratedTokens(), 0, MAX_TOKENS);
    c.range("settings.concurrency", settings.getConcurrency(), 1, 100_000);
    c.fraction("settings.gpuOffloadFraction", settings.getGpuOffloadFraction());
    c.range("settings.gpuLayers", settings.getGpuLayers(), -1, 100_000);
    c.range("settings.temperature", settings.getTemperature(), 0, 100);
    c.range("settings.gpusUsed", settings.getGpusUsed(), 0, 1_000);

    List<Repetition> reps = report.getRepetitions();
    c.range("repetitions (count)", reps.size(), 0, MAX_REPETITIONS);
    for (int i = 0; i < reps.size() && c.ok(); i++) {
      Repetition rep = reps.get(i);
      String at = "repetitions[" + i + "].";
      c.range(at + "promptTokens", rep.getPromptTokens(), 0, MAX_TOKENS);
      c.range(at + "generatedTokens", rep.getGeneratedTokens(), 0, MAX_TOKENS);
      c.range(at + "promptDurationNanos", rep.getPromptDurationNanos(), 0, DAY_NANOS);
      c.range(at + "generationDurationNanos", rep.getGenerationDurationNanos(), 0, DAY_NANOS);
      c.range(at + "timeToFirstTokenNanos", rep.getTimeToFirstTokenNanos(), 0, DAY_NANOS);
      c.range(at + "loadDurationNanos", rep.getLoadDurationNanos(), 0, DAY_NANOS);
      c.range(at + "outputTokens", rep.getOutputTokens(), 0, MAX_TOKENS);
    }

    c.range("loadDurationNanos", report.getLoadDurationNanos(), 0, DAY_NANOS);
    Summary summary = report.getSummary();
    c.range("summary.generationTokensPerSecondStddev", summary.getGenerationTokensPerSecondStddev(), 0, 1e7);
    c.range("summary.timeToFirstTokenMillisP95", summary.getTimeToFirstTokenMillisP95(), 0, 86_400_000.0);
    c.range("summary.aggregateTokensPerSecond", summary.getAggregateTokensPerSecond(), 0, 1e9);
    MemoryObserved memory = report.getMemory();
    if (memory != null) {
      c.range("memory.vramUsedBytes", memory.getVramUsedBytes(), 0, 1024 * TIB);
      c.range("memory.ramUsedBytes", memory.getRamUsedBytes(), 0, 1024 * TIB);
    }
    PowerObserved power = report.getPower();
    if (power != null) {
      c.range("power.averageGpuWatts", power.getAverageGpuWatts(), 0, 1_000_000.0);
      c.range("power.tokensPerSecondPerWatt", power.getTokensPerSecondPerWatt(), 0, 1e9);
    }
    return c.first;
  }

  /** Letters, digits, space and . _ - : / + @ ( ) [ ] # , ' &: enough for any model, GPU or runtime name. */
  static boolean isKeyCharacter(int c) {
    return Character.isLetterOrDigit(c) || KEY_PUNCTUATION.indexOf(c) >= 0;
  }

  /** No control, format, private-use, surrogate or unassigned characters. */
  static boolean isPrintable(int c) {
    return switch (Character.getType(c)) {
      case Character.CONTROL, Character.FORMAT, Character.PRIVATE_USE, Character.SURROGATE, Character.UNASSIGNED -> false;
      default -> true;
    };
  }

  /** Collects the first violation; later checks are skipped once one is found. */
  private static final class Check {
    private Optional<Rejection> first = Optional.empty();

    boolean ok() {
      return first.isEmpty();
    }

    void keyText(String field, String value, int maxLength) {
      if (ok() && value != null) {
        if (value.length() > maxLength) {
          fail(field, value, "is " + value.length() + " characters long; at most " + maxLength + " are allowed");
        } else if (!value.codePoints().allMatch(FieldDomains::isKeyCharacter)) {
          fail(field, value, "may hold only letters, digits, spaces and . _ - : / + @ ( ) [ ] # , ' &");
        }
      }
    }

    void text(String field, String value, int maxLength) {
      if (ok() && value != null) {
        if (value.length() > maxLength) {
          fail(field, value, "is " + value.length() + " characters long; at most " + maxLength + " are allowed");
        } else if (!value.codePoints().allMatch(FieldDomains::isPrintable)) {
          fail(field, value, "holds a control or invisible character");
        }
      }
    }

    void range(String field, Number value, double min, double max) {
      if (!ok() || value == null) {
        return;
      }
      double v = value.doubleValue();
      if (!(v >= min && v <= max)) { // also refuses NaN
        first = Optional.of(new Rejection(Rejection.INVALID_FIELD, field + " is " + value + "; it must lie between " + plain(min) + " and " + plain(max)));
      }
    }

    void fraction(String field, Double value) {
      range(field, value, 0, 1);
    }

    private void fail(String field, String value, String why) {
      first = Optional.of(new Rejection(Rejection.INVALID_FIELD, field + " \"" + ForPeople.shown(value) + "\" " + why));
    }

    private static String plain(double bound) {
      return bound == Math.rint(bound) && Math.abs(bound) < 1e18 ? String.format("%,d", (long) bound) : String.valueOf(bound);
    }
  }
}
