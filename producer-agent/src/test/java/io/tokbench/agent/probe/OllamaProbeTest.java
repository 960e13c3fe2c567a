package io.tokbench.agent.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.tokbench.agent.detect.DetectedGpu;
import io.tokbench.agent.detect.Rig;
import io.tokbench.agent.fakes.FakeOllama;
import io.tokbench.schema.Backend;
import io.tokbench.schema.BenchmarkReport;
import io.tokbench.schema.GpuVendor;
import io.tokbench.schema.TimingSource;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The probe against an Ollama fake that follows docs/api.md (see FakeOllama): the agent must
 * compute exactly the rates the runtime's timers give, and flag what distorts them.
 */
class OllamaProbeTest {
  private static final ProbeSuite SUITE = ProbeSuite.STANDARD.with(null, null, 3);
  private static final Rig RTX_4090 = new Rig(
      List.of(DetectedGpu.of(GpuVendor.NVIDIA, "NVIDIA GeForce RTX 4090", OptionalLong.of(24564L * 1024 * 1024), Optional.of("550.120"), 1, OptionalInt.empty())),
      new Rig.CpuInfo(Optional.of("AMD Ryzen 9 7950X 16-Core Processor"), OptionalInt.of(16), OptionalInt.of(32)),
      OptionalLong.of(64L << 30), new Rig.OsInfo("linux", Optional.of("Ubuntu 24.04.1 LTS"), Optional.of("6.8.0-45-generic"), "x86_64"));

  private final FakeOllama ollama = new FakeOllama();
  private final OllamaClient client = new OllamaClient(ollama.url(), Duration.ofSeconds(30), Optional.empty());

  @AfterEach
  void stop() {
    ollama.close();
  }

  private List<BenchmarkReport> probe(List<Integer> contexts, List<Integer> concurrency) {
    ModelDescription description = client.describe(FakeOllama.MODEL);
    ProbeRunner runner = new ProbeRunner(client, SUITE, ProbeListener.SILENT, PowerSampler.NONE, Clock.systemUTC());
    ReportBuilder builder = new ReportBuilder(UUID.randomUUID(), "test", SUITE, RTX_4090, client.info());
    return runner.probe(FakeOllama.MODEL, description, RTX_4090, contexts, concurrency).stream().map(builder::build).toList();
  }

  @ParameterizedTest
  @EnumSource(FakeOllama.Style.class)
  void ratesAreExactlyTheRuntimesOwnTimersWhateverTheJsonLayout(FakeOllama.Style style) {
    ollama.style = style;
    BenchmarkReport report = probe(List.of(8192), List.of(1)).get(0);

    assertThat(report.getSummary().getGenerationTokensPerSecondMedian()).isCloseTo(88.0, within(1e-6));
    assertThat(report.getSummary().getPromptTokensPerSecondMedian()).isCloseTo(3200.0, within(1e-3));
    assertThat(report.getSummary().getAggregateTokensPerSecond()).as("one stream: the generation rate").isCloseTo(88.0, within(1e-6));
    assertThat(report.getRepetitions()).hasSize(3).allSatisfy(rep -> {
      assertThat(rep.getGeneratedTokens()).isEqualTo(128);
      assertThat(rep.getOutputTokens()).isEqualTo(128);
      assertThat(rep.getPromptTokens()).as("calibrated prompt length").isBetween(507, 517);
      assertThat(rep.getLoadDurationNanos()).as("load is the warm-up's, not a repetition's").isNull();
    });
    assertThat(report.getLoadDurationNanos()).as("the warm-up's load_duration").isEqualTo(2_500_000_000L);
    assertThat(report.getSettings().getGenerationDepthTokens()).as("generation began after the prompt").isBetween(507, 517);
    assertThat(report.getFlags().getGenerationEndedEarly()).isFalse();
    assertThat(report.getSummary().getTimeToFirstTokenMillisMedian()).isGreaterThanOrEqualTo(20.0);
    assertThat(report.getTiming().getGeneration()).isEqualTo(TimingSource.RUNTIME);
    assertThat(report.getTiming().getPrompt()).isEqualTo(TimingSource.RUNTIME);
    assertThat(report.getSettings().getContextLength()).isEqualTo(8192);
    assertThat(report.getSettings().getGpuOffloadFraction()).isEqualTo(1.0);
    assertThat(report.getRuntime().getBackend()).isEqualTo(Backend.CUDA);
    assertThat(report.getRuntime().getVersion()).isEqualTo("0.12.6");
    assertThat(report.getFlags().getNoisy()).isFalse();
    assertThat(report.getFlags().getPromptTruncated()).isFalse();
    assertThat(report.getFlags().getPartialOffload()).isFalse();
    assertThat(ollama.generateCalls()).as("one warm-up, then the repetitions").isEqualTo(4);
  }

  @Test
  void everyPromptIsNewSoNoPromptCacheInflatesPrefill() {
    probe(List.of(4096), List.of(1));
    List<String> prompts = ollama.requests("/api/generate").stream().map(r -> r.body().path("prompt").asText()).toList();
    assertThat(prompts).hasSize(4).doesNotHaveDuplicates();
    assertThat(prompts).allSatisfy(p -> assertThat(p).matches("^[0-9a-f]{16}: .*"));
    assertThat(ollama.requests("/api/generate")).allSatisfy(r -> {
      assertThat(r.body().path("raw").asBoolean()).as("no chat template around the prompt").isTrue();
      assertThat(r.body().path("options").path("temperature").asDouble()).isZero();
      assertThat(r.body().path("options").path("seed").asLong()).isEqualTo(42);
      assertThat(r.body().path("options").path("num_predict").asInt()).isEqualTo(128);
    });
  }

  @Test
  void aCachedPromptLeavesPromptMetricsOutAndThePromptRateUnknown() {
    // Ollama omits prompt_eval_count/prompt_eval_duration when zero (api/types.go omitempty),
    // as when the whole prompt came from the KV cache: the rate must be unknown, not infinite.
    GenerationRequest same = new GenerationRequest(FakeOllama.MODEL, "the same prompt twice", 4096, 16, 42, 0);
    Generation first = client.generate(same);
    Generation second = client.generate(same);

    assertThat(first.promptTokensPerSecond()).isPresent();
    assertThat(second.promptNanos()).isEmpty();
    assertThat(second.promptTokensPerSecond()).isEmpty();
    assertThat(second.generationTokensPerSecond()).isCloseTo(88.0, within(1e-6));
  }

  @Test
  void partialOffloadIsDetectedAndRecorded() {
    ollama.vramFraction = 0.6;
    BenchmarkReport report = probe(List.of(4096), List.of(1)).get(0);

    assertThat(report.getFlags().getPartialOffload()).isTrue();
    assertThat(report.getSettings().getGpuOffloadFraction()).isCloseTo(0.6, within(1e-6));
    assertThat(report.getMemory().getRamUsedBytes()).isCloseTo(Math.round(6_654_289_920L * 0.4), within(2L));
    assertThat(report.getMemory().getVramUsedBytes()).isCloseTo(Math.round(6_654_289_920L * 0.6), within(2L));
  }

  @Test
  void aModelWhollyOnTheCpuIsReportedAsCpuBackend() {
    ollama.vramFraction = 0.0;
    BenchmarkReport report = probe(List.of(4096), List.of(1)).get(0);
    assertThat(report.getRuntime().getBackend()).isEqualTo(Backend.CPU);
    assertThat(report.getSettings().getGpusUsed()).isZero();
  }

  @Test
  void aPromptCutToFitTheContextIsFlaggedTruncated() {
    BenchmarkReport report = probe(List.of(512), List.of(1)).get(0);
    assertThat(report.getFlags().getPromptTruncated()).isTrue();
    assertThat(report.getRepetitions()).allSatisfy(rep -> assertThat(rep.getPromptTokens()).isEqualTo(512 - 128));
  }

  @Test
  void aNoisyRunIsRepeatedOnceThenFlagged() {
    ollama.rateJitter = new double[] {1.0, 0.5};
    BenchmarkReport report = probe(List.of(4096), List.of(1)).get(0);

    assertThat(report.getFlags().getNoisy()).isTrue();
    assertThat(ollama.generateCalls()).as("warm-up + two rounds of 3").isEqualTo(7);
  }

  @Test
  void aSteadyRunIsNotRepeated() {
    ollama.rateJitter = new double[] {1.0, 1.02, 0.98};
    BenchmarkReport report = probe(List.of(4096), List.of(1)).get(0);
    assertThat(report.getFlags().getNoisy()).isFalse();
    assertThat(ollama.generateCalls()).isEqualTo(4);
    assertThat(report.getSummary().getGenerationTokensPerSecondMedian()).isCloseTo(88.0, within(1e-6));
    assertThat(report.getSummary().getGenerationTokensPerSecondMin()).isCloseTo(88.0 * 0.98, within(1e-6));
    assertThat(report.getSummary().getGenerationTokensPerSecondMax()).isCloseTo(88.0 * 1.02, within(1e-6));
  }

  @Test
  void aSlowFirstTokenShowsInTimeToFirstToken() {
    ollama.firstTokenDelayMillis = 300;
    BenchmarkReport report = probe(List.of(4096), List.of(1)).get(0);
    assertThat(report.getSummary().getTimeToFirstTokenMillisMedian()).isGreaterThanOrEqualTo(300.0);
    assertThat(report.getTiming().getTimeToFirstToken()).isEqualTo(TimingSource.CLIENT);
  }

  @Test
  void aConcurrencySweepReportsAggregateAndPerUserRates() {
    List<BenchmarkReport> reports = probe(List.of(4096), List.of(1, 2));
    assertThat(reports).extracting(r -> r.getSettings().getConcurrency()).containsExactly(1, 2);
    BenchmarkReport two = reports.get(1);
    assertThat(two.getRepetitions()).hasSize(6);
    // Both streams generate 128 tokens in 1.45 s each (Ollama's timer), starting within a few ms
    // of each other: the aggregate is at most 2 x 88 tok/s, and prompt time is not in it.
    assertThat(two.getSummary().getAggregateTokensPerSecond()).isBetween(2 * 88.0 * 0.9, 2 * 88.0 + 1e-6);
    assertThat(two.getSummary().getTimeToFirstTokenMillisP95()).isGreaterThanOrEqualTo(two.getSummary().getTimeToFirstTokenMillisMedian());
    assertThat(reports.get(0).getSummary().getAggregateTokensPerSecond()).as("defined the same way for one stream").isCloseTo(88.0, within(1e-6));
  }

  @Test
  void modelArchitectureAndIdentityComeFromShowAndTags() {
    ModelDescription model = client.describe(FakeOllama.MODEL);
    assertThat(model.family()).contains("llama");
    assertThat(model.quantization()).contains("Q4_K_M");
    assertThat(model.parameterCount()).hasValue(8_030_261_248L);
    assertThat(model.digest()).hasValueSatisfying(d -> assertThat(d).startsWith("sha256:46e0c10c"));
    assertThat(model.architecture()).hasValueSatisfying(a -> {
      assertThat(a.getBlockCount()).isEqualTo(32);
      assertThat(a.getAttentionHeadCount()).isEqualTo(32);
      assertThat(a.getAttentionHeadCountKv()).isEqualTo(8);
      assertThat(a.getEmbeddingLength()).isEqualTo(4096);
      assertThat(a.getContextLengthTrained()).isEqualTo(131072);
    });
  }

  @ParameterizedTest
  @EnumSource(FakeOllama.Style.class)
  void anErrorOnTheLastLineOfA200StreamIsARuntimeFailureWithItsMessage(FakeOllama.Style style) {
    ollama.style = style;
    ollama.errorAfterTokens = 5;
    assertThatThrownBy(() -> client.generate(new GenerationRequest(FakeOllama.MODEL, "hello there", 4096, 16, 42, 0)))
        .isInstanceOf(RuntimeErrorException.class)
        .hasMessageContaining("CUDA error: out of memory");
  }

  @Test
  void aGenerationThatEndsEarlyIsFlaggedAndKeepsItsTrueCounts() {
    ollama.endOfTextAfterTokens = 40;
    BenchmarkReport report = probe(List.of(4096), List.of(1)).get(0);

    assertThat(report.getFlags().getGenerationEndedEarly()).isTrue();
    assertThat(report.getRepetitions()).allSatisfy(rep -> {
      assertThat(rep.getOutputTokens()).isEqualTo(40);
      assertThat(rep.getGeneratedTokens()).isEqualTo(40);
    });
    assertThat(report.getSettings().getGeneratedTokens()).as("what the suite asked for").isEqualTo(128);
    assertThat(report.getSummary().getGenerationTokensPerSecondMedian()).isCloseTo(88.0, within(1e-6));
  }

  @Test
  void theDocumentedFinalObjectIsReadAsPrintedContextArrayAndAll() throws Exception {
    // docs/api.md, "Generate request (Streaming)": the final object as the documentation prints it.
    String documented = """
        {
          "model": "llama3.2",
          "created_at": "2023-08-04T19:22:45.499127Z",
          "response": "",
          "done": true,
          "context": [1, 2, 3],
          "total_duration": 10706818083,
          "load_duration": 6338219291,
          "prompt_eval_count": 26,
          "prompt_eval_duration": 130079000,
          "eval_count": 259,
          "eval_duration": 4232710000
        }
        """;
    try (com.fasterxml.jackson.core.JsonParser parser = JsonHttp.JSON.createParser(documented)) {
      parser.nextToken();
      OllamaChunk done = OllamaChunk.read(parser);
      assertThat(done.done()).isTrue();
      assertThat(done.token()).isFalse();
      assertThat(done.evalCount()).hasValue(259);
      assertThat(done.evalDuration()).hasValue(4_232_710_000L);
      assertThat(done.promptEvalCount()).hasValue(26);
      assertThat(done.loadDuration()).hasValue(6_338_219_291L);
      assertThat(parser.nextToken()).as("the whole object was consumed, context array included").isNull();
    }
  }

  @Test
  void aModelThatIsNotPulledIsNamedWithTheFix() {
    assertThatThrownBy(() -> client.describe("deepseek-r1:671b")).isInstanceOf(ModelNotFoundException.class).hasMessageContaining("deepseek-r1:671b");
    assertThatThrownBy(() -> client.generate(new GenerationRequest("deepseek-r1:671b", "hi", 4096, 8, 42, 0))).isInstanceOf(ModelNotFoundException.class);
    assertThat(client.pullHint("deepseek-r1:671b")).isEqualTo("ollama pull deepseek-r1:671b");
  }

  @Test
  void nothingListeningIsRuntimeUnavailable() {
    ollama.close();
    assertThatThrownBy(client::info).isInstanceOf(RuntimeUnavailableException.class).hasMessageContaining("nothing is listening");
  }

  @Test
  void ollamaHostIsReadTheWayOllamaReadsIt() {
    assertThat(OllamaClient.urlFromOllamaHost("0.0.0.0")).isEqualTo("http://localhost:11434");
    assertThat(OllamaClient.urlFromOllamaHost("gpu-box:11500")).isEqualTo("http://gpu-box:11500");
    assertThat(OllamaClient.urlFromOllamaHost("https://ollama.example")).isEqualTo("https://ollama.example:11434");
  }
}
