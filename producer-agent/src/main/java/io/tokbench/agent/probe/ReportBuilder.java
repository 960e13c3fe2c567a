package io.tokbench.agent.probe;

import io.tokbench.agent.detect.Rig;
import io.tokbench.normalize.OrderStatistics;
import io.tokbench.schema.Backend;
import io.tokbench.schema.BenchmarkReport;
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
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.UUID;

/** Turns a measured shape into the Avro report the agent publishes. */
public final class ReportBuilder {
  /** The {@code BenchmarkReport} schema version this agent writes. */
  public static final int SCHEMA_VERSION = 4;

  private final UUID rigId;
  private final String agentVersion;
  private final ProbeSuite suite;
  private final Rig rig;
  private final RuntimeInfo runtime;

  public ReportBuilder(UUID rigId, String agentVersion, ProbeSuite suite, Rig rig, RuntimeInfo runtime) {
    this.rigId = rigId;
    this.agentVersion = agentVersion;
    this.suite = suite;
    this.rig = rig;
    this.runtime = runtime;
  }

  public BenchmarkReport build(ProbeResult result) {
    List<Generation> generations = result.generations();
    List<Double> rates = new ArrayList<>();
    List<Double> promptRates = new ArrayList<>();
    List<Double> ttftMillis = new ArrayList<>();
    List<Repetition> repetitions = new ArrayList<>();
    double[] depths = generations.stream().mapToDouble(Generation::depth).sorted().toArray();
    for (Generation g : generations) {
      rates.add(g.generationTokensPerSecond());
      g.promptTokensPerSecond().ifPresent(promptRates::add);
      g.timeToFirstTokenNanos().ifPresent(ttft -> ttftMillis.add(ttft / 1e6));
      repetitions.add(Repetition.newBuilder()
          .setPromptTokens(g.promptTokens())
          .setPromptDurationNanos(g.promptNanos().isPresent() ? g.promptNanos().getAsLong() : null)
          .setGeneratedTokens(g.decodeSteps())
          .setGenerationDurationNanos(g.decodeNanos())
          .setTimeToFirstTokenNanos(g.timeToFirstTokenNanos().isPresent() ? g.timeToFirstTokenNanos().getAsLong() : null)
          .setLoadDurationNanos(g.loadNanos().isPresent() ? g.loadNanos().getAsLong() : null)
          .setOutputTokens(g.outputTokens())
          .build());
    }
    Samples gen = Samples.of(rates);
    double[] ttftSorted = ttftMillis.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    Generation first = generations.get(0);
    ModelDescription model = result.description();
    OptionalDouble watts = result.averageWatts();

    return BenchmarkReport.newBuilder()
        .setReportId(UUID.randomUUID())
        .setSchemaVersion(SCHEMA_VERSION)
        .setAgentVersion(agentVersion)
        .setSuiteId(suite.id())
        .setMeasuredAt(result.finishedAt())
        .setRigId(rigId)
        .setHardware(rig.toHardware())
        .setRuntime(Runtime.newBuilder().setName(runtime.name()).setVersion(runtime.version().orElse(null)).setBackend(result.backend()).build())
        .setModel(Model.newBuilder()
            .setName(model.name())
            .setFamily(model.family().orElse(null))
            .setParameterCount(model.parameterCount().isPresent() ? model.parameterCount().getAsLong() : null)
            .setQuantization(model.quantization().orElse(null))
            .setDigest(model.digest().orElse(null))
            .setFileSizeBytes(model.fileSizeBytes().isPresent() ? model.fileSizeBytes().getAsLong() : null)
            .setArchitecture(model.architecture().orElse(null))
            .build())
        .setSettings(Settings.newBuilder()
            .setContextLength(result.loaded().map(LoadedModel::contextLength).filter(OptionalInt::isPresent).map(OptionalInt::getAsInt)
                .orElse(result.contextLength()))
            .setPromptTokens(suite.promptTokens())
            .setGeneratedTokens(suite.generatedTokens())
            .setConcurrency(result.concurrency())
            .setGpuOffloadFraction(result.loaded().map(LoadedModel::gpuOffloadFraction).orElse(null))
            .setGpuLayers(null)
            .setTemperature(0.0)
            .setSeed(suite.seed())
            .setGpusUsed(result.backend() == Backend.CPU ? 0 : rig.gpuCount())
            .setGenerationDepthTokens(depths[0] > 0 ? (int) Math.round(OrderStatistics.percentile(depths, 50)) : null)
            .build())
        .setRepetitions(repetitions)
        .setSummary(Summary.newBuilder()
            .setGenerationTokensPerSecondMedian(gen.median())
            .setGenerationTokensPerSecondMin(gen.min())
            .setGenerationTokensPerSecondMax(gen.max())
            .setPromptTokensPerSecondMedian(promptRates.isEmpty() ? null : Samples.of(promptRates).median())
            .setTimeToFirstTokenMillisMedian(ttftSorted.length == 0 ? null : OrderStatistics.percentile(ttftSorted, 50))
            .setGenerationTokensPerSecondStddev(gen.stddev())
            .setTimeToFirstTokenMillisP95(ttftSorted.length == 0 ? null : OrderStatistics.percentile(ttftSorted, 95))
            .setAggregateTokensPerSecond(result.aggregateRates().isEmpty() ? null : Samples.of(result.aggregateRates()).median())
            .build())
        .setMemory(MemoryObserved.newBuilder()
            .setVramUsedBytes(result.loaded().map(LoadedModel::sizeVramBytes).orElse(null))
            .setRamUsedBytes(result.loaded().map(l -> Math.max(0, l.sizeBytes() - l.sizeVramBytes())).orElse(null))
            .build())
        .setTiming(TimingSources.newBuilder()
            .setGeneration(first.generationSource())
            .setPrompt(first.promptSource())
            .setTimeToFirstToken(TimingSource.CLIENT)
            .build())
        .setFlags(ProbeFlags.newBuilder()
            .setNoisy(result.noisy())
            .setPromptTruncated(result.promptTruncated())
            .setPartialOffload(result.partialOffload())
            .setGenerationEndedEarly(generations.stream().anyMatch(Generation::endedEarly))
            .build())
        .setPower(watts.isPresent() && watts.getAsDouble() > 0
            ? PowerObserved.newBuilder().setAverageGpuWatts(watts.getAsDouble()).setTokensPerSecondPerWatt(gen.median() / watts.getAsDouble()).build()
            : null)
        .setLoadDurationNanos(result.loadNanos().isPresent() ? result.loadNanos().getAsLong() : null)
        .build();
  }
}
