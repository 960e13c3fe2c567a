package io.tokbench.testkit;

import io.tokbench.schema.Architecture;
import io.tokbench.schema.Backend;
import io.tokbench.schema.BenchmarkReport;
import io.tokbench.schema.Cpu;
import io.tokbench.schema.Gpu;
import io.tokbench.schema.GpuVendor;
import io.tokbench.schema.Hardware;
import io.tokbench.schema.MemoryObserved;
import io.tokbench.schema.Model;
import io.tokbench.schema.OperatingSystem;
import io.tokbench.schema.PowerObserved;
import io.tokbench.schema.ProbeFlags;
import io.tokbench.schema.Repetition;
import io.tokbench.schema.Runtime;
import io.tokbench.schema.Settings;
import io.tokbench.schema.Summary;
import io.tokbench.schema.TimingSource;
import io.tokbench.schema.TimingSources;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Complete, internally consistent reports for tests: every field set, figures that agree with each
 * other (rates recomputed from the repetitions), as the agent would publish them.
 */
public final class SampleReports {
  private SampleReports() {}

  /** deepseek-r1:8b Q4_K_M on one RTX 4090 under Ollama on Linux, 8K context, 3 repetitions. */
  public static BenchmarkReport rtx4090(UUID rigId, Instant measuredAt) {
    // 128 tokens in 1.450 s, 1.446 s, 1.462 s → 88.28, 88.52, 87.55 tok/s; 512 prompt tokens in 0.160 s.
    List<Repetition> repetitions =
        List.of(repetition(1_450_000_000L), repetition(1_446_000_000L), repetition(1_462_000_000L));
    return BenchmarkReport.newBuilder()
        .setReportId(UUID.randomUUID())
        .setSchemaVersion(3)
        .setAgentVersion("0.1.0")
        .setSuiteId("tokbench-suite-1")
        .setMeasuredAt(measuredAt)
        .setRigId(rigId)
        .setHardware(
            Hardware.newBuilder()
                .setGpus(List.of(
                    Gpu.newBuilder()
                        .setVendor(GpuVendor.NVIDIA)
                        .setRawName("NVIDIA GeForce RTX 4090")
                        .setCanonicalId("nvidia-rtx-4090")
                        .setVramBytes(25_757_220_864L)
                        .setDriverVersion("550.54.14")
                        .setCount(1)
                        .build()))
                .setCpu(Cpu.newBuilder().setModel("AMD Ryzen 9 7950X 16-Core Processor").setCores(16).setThreads(32).build())
                .setRamBytes(68_719_476_736L)
                .setOs(OperatingSystem.newBuilder().setName("linux").setVersion("Ubuntu 24.04").setKernel("6.8.0-45-generic").setArchitecture("x86_64").build())
                .build())
        .setRuntime(Runtime.newBuilder().setName("ollama").setVersion("0.5.7").setBackend(Backend.CUDA).build())
        .setModel(
            Model.newBuilder()
                .setName("deepseek-r1:8b")
                .setFamily("llama")
                .setParameterCount(8_030_261_248L)
                .setQuantization("Q4_K_M")
                .setDigest("sha256:28f8fd6cdc677661426adab9338ce3c013d7e69a5bea9e704b364171a5d61a10")
                .setFileSizeBytes(4_920_738_944L)
                .setArchitecture(
                    Architecture.newBuilder()
                        .setBlockCount(32)
                        .setAttentionHeadCount(32)
                        .setAttentionHeadCountKv(8)
                        .setEmbeddingLength(4096)
                        .setContextLengthTrained(131_072)
                        .build())
                .build())
        .setSettings(
            Settings.newBuilder()
                .setContextLength(8192)
                .setPromptTokens(512)
                .setGeneratedTokens(128)
                .setConcurrency(1)
                .setGpuOffloadFraction(1.0)
                .setGpuLayers(33)
                .setTemperature(0.0)
                .setSeed(42L)
                .setGpusUsed(1)
                .build())
        .setRepetitions(repetitions)
        .setSummary(
            Summary.newBuilder()
                .setGenerationTokensPerSecondMedian(128 / 1.450)
                .setGenerationTokensPerSecondMin(128 / 1.462)
                .setGenerationTokensPerSecondMax(128 / 1.446)
                .setPromptTokensPerSecondMedian(512 / 0.160)
                .setTimeToFirstTokenMillisMedian(171.0)
                .setGenerationTokensPerSecondStddev(0.506)
                .setTimeToFirstTokenMillisP95(174.0)
                .setAggregateTokensPerSecond(null)
                .build())
        .setMemory(MemoryObserved.newBuilder().setVramUsedBytes(6_123_456_512L).setRamUsedBytes(512_000_000L).build())
        .setTiming(TimingSources.newBuilder().setGeneration(TimingSource.RUNTIME).setPrompt(TimingSource.RUNTIME).setTimeToFirstToken(TimingSource.CLIENT).build())
        .setFlags(ProbeFlags.newBuilder().setNoisy(false).setPromptTruncated(false).setPartialOffload(false).build())
        .setPower(PowerObserved.newBuilder().setAverageGpuWatts(352.0).setTokensPerSecondPerWatt((128 / 1.450) / 352.0).build())
        .build();
  }

  private static Repetition repetition(long generationNanos) {
    return Repetition.newBuilder()
        .setPromptTokens(512)
        .setPromptDurationNanos(160_000_000L)
        .setGeneratedTokens(128)
        .setGenerationDurationNanos(generationNanos)
        .setTimeToFirstTokenNanos(171_000_000L)
        .setLoadDurationNanos(12_500_000L)
        .build();
  }
}
