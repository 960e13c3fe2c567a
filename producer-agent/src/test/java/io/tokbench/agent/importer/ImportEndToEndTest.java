package io.tokbench.agent.importer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.tokbench.agent.cli.ExitCodes;
import io.tokbench.agent.config.RigIdentity;
import io.tokbench.agent.fakes.AgentRun;
import io.tokbench.schema.Backend;
import io.tokbench.schema.BackendSource;
import io.tokbench.schema.BenchmarkReport;
import io.tokbench.schema.ImportFormat;
import io.tokbench.schema.ImportTool;
import io.tokbench.schema.OffloadMethod;
import io.tokbench.schema.Repetition;
import io.tokbench.serde.AvroDeserializer;
import io.tokbench.testkit.KafkaStack;
import io.tokbench.testkit.TopicReader;
import io.tokbench.testkit.WithKafkaStack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tokbench-agent import} of real llama-bench outputs, through the real serde to a real broker and registry. */
@WithKafkaStack
class ImportEndToEndTest {
  private final KafkaStack stack;
  @TempDir Path home;

  ImportEndToEndTest(KafkaStack stack) {
    this.stack = stack;
  }

  private String topic() throws Exception {
    String topic = "imports-" + UUID.randomUUID();
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get();
    }
    return topic;
  }

  private AgentRun agent(String topic) {
    return new AgentRun(home)
        .env("TOKBENCH_BOOTSTRAP_SERVERS", stack.bootstrapServers())
        .env("TOKBENCH_SCHEMA_REGISTRY_URL", stack.registryUrl())
        .env("TOKBENCH_TOPIC", topic);
  }

  /** Everything on the topic: asks for one more than expected, so a duplicate would show. */
  private List<BenchmarkReport> published(String topic, int expected) {
    List<BenchmarkReport> first = TopicReader.values(stack.clientConfig(), topic, new AvroDeserializer<>(BenchmarkReport.class), expected, Duration.ofSeconds(30));
    assertThat(first).as("the reports arrive").hasSize(expected);
    return TopicReader.values(stack.clientConfig(), topic, new AvroDeserializer<>(BenchmarkReport.class), expected + 1, Duration.ofSeconds(3));
  }

  private static Path fixture(String name) {
    return LlamaBenchParserTest.FIXTURES.resolve(name).toAbsolutePath();
  }

  @Test
  void aJsonFileFromThisRigPublishesOneReportPerGenerationRowWithItsSamplesExactlyOnce() throws Exception {
    String topic = topic();
    Path file = fixture(LlamaBenchParserTest.TINY + "json");
    List<LlamaBenchRow> rows = LlamaBenchParser.parse(Files.readString(file), LlamaBenchFormat.JSON);

    AgentRun.Result result = agent(topic).run("import", file.toString(), "--yes");

    assertThat(result.exitCode()).as(result.err()).isEqualTo(ExitCodes.OK);
    assertThat(result.out()).contains("Delivered 2 report(s)");
    List<BenchmarkReport> reports = published(topic, 2).stream().sorted(Comparator.comparing(BenchmarkReport::getSuiteId)).toList();
    assertThat(reports).extracting(BenchmarkReport::getSuiteId).containsExactly("llama-bench-pp512-tg128", "llama-bench-pp512-tg128-d512");
    assertThat(reports).extracting(BenchmarkReport::getReportId).doesNotHaveDuplicates();

    BenchmarkReport atDepth0 = reports.get(0);
    LlamaBenchRow tg = rows.get(1);
    LlamaBenchRow pp = rows.get(0);
    assertThat(atDepth0.getRepetitions()).extracting(Repetition::getGenerationDurationNanos).containsExactlyElementsOf(tg.samplesNs());
    assertThat(atDepth0.getRepetitions()).allSatisfy(rep -> assertThat(rep.getGeneratedTokens()).isEqualTo(128));
    assertThat(atDepth0.getSettings().getGenerationDepthTokens()).isZero();
    assertThat(reports.get(1).getSettings().getGenerationDepthTokens()).isEqualTo(512);
    double ppMedian = pp.samplesNs().stream().mapToDouble(ns -> 512 / (ns / 1e9)).sorted().toArray()[1];
    assertThat(atDepth0.getSummary().getPromptTokensPerSecondMedian()).isCloseTo(ppMedian, within(1e-6));
    assertThat(atDepth0.getSummary().getGenerationTokensPerSecondStddev()).isEqualTo(tg.stddevTs().getAsDouble());

    assertThat(atDepth0.getImportedFrom().getTool()).isEqualTo(ImportTool.LLAMA_BENCH);
    assertThat(atDepth0.getImportedFrom().getFormat()).isEqualTo(ImportFormat.JSON);
    assertThat(atDepth0.getImportedFrom().getSamples()).isTrue();
    assertThat(atDepth0.getImportedFrom().getHardwareDetected()).isTrue();
    assertThat(atDepth0.getRigId()).isEqualTo(RigIdentity.load(agent(topic).configDir()));
    assertThat(atDepth0.getHardware().getGpus()).extracting(g -> g.getRawName()).containsExactly("NVIDIA GeForce RTX 4090");
    // llama-bench says the build has only the CPU backend: the detected GPU did no work.
    assertThat(atDepth0.getRuntime().getBackend()).isEqualTo(Backend.CPU);
    assertThat(atDepth0.getRuntime().getBackendSource()).isEqualTo(BackendSource.RUNTIME_REPORTED);
    assertThat(atDepth0.getSettings().getOffloadMethod()).isEqualTo(OffloadMethod.NO_GPU_BACKEND);
    assertThat(atDepth0.getSettings().getGpusUsed()).isZero();
    assertThat(atDepth0.getRuntime().getVersion()).isEqualTo("b10587-3f545bec");
    assertThat(atDepth0.getModel().getName()).isEqualTo("tiny.gguf");
    assertThat(atDepth0.getModel().getQuantization()).isEqualTo("Q8_0");
    assertThat(atDepth0.getModel().getParameterCount()).isEqualTo(24_407_712L);
    assertThat(atDepth0.getMeasuredAt()).isEqualTo(tg.testTime().orElseThrow());
    // Privacy: llama-bench wrote "model/tiny.gguf"; only the file name leaves the machine.
    assertThat(reports).allSatisfy(r -> assertThat(r.toString()).doesNotContain("model/tiny").doesNotContain(home.toString()));
  }

  @Test
  void importingTheSameFileAgainRepublishesTheSameReportIds() throws Exception {
    String topic = topic();
    Path file = fixture(LlamaBenchParserTest.TINY + "jsonl");
    AgentRun agent = agent(topic);
    assertThat(agent.run("import", file.toString(), "--yes").exitCode()).isEqualTo(ExitCodes.OK);
    assertThat(agent.run("import", file.toString(), "--yes").exitCode()).isEqualTo(ExitCodes.OK);
    List<BenchmarkReport> reports = published(topic, 4);
    assertThat(reports).hasSize(4);
    assertThat(reports.stream().map(BenchmarkReport::getReportId).distinct()).as("two ids, each sent twice: the aggregator counts each once").hasSize(2);
  }

  @Test
  void someoneElsesGpuTableIsPublishedWithTheNamedGpuAndCount() throws Exception {
    String topic = topic();
    AgentRun.Result result = agent(topic).run("import", fixture("upstream-readme-rtx4080.json").toString(),
        "--gpu", "NVIDIA GeForce RTX 4080", "--gpu-count", "2", "--yes");

    assertThat(result.exitCode()).as(result.err()).isEqualTo(ExitCodes.OK);
    BenchmarkReport report = published(topic, 1).get(0);
    assertThat(report.getHardware().getGpus()).singleElement().satisfies(g -> {
      assertThat(g.getRawName()).isEqualTo("NVIDIA GeForce RTX 4080");
      assertThat(g.getCount()).isEqualTo(2);
      assertThat(g.getCanonicalId()).isNotNull();
    });
    assertThat(report.getHardware().getCpu().getModel()).isEqualTo("AMD Ryzen 7 7800X3D 8-Core Processor");
    assertThat(report.getImportedFrom().getHardwareDetected()).isFalse();
    assertThat(report.getImportedFrom().getSamples()).isTrue();
    assertThat(report.getRuntime().getBackend()).isEqualTo(Backend.CUDA);
    assertThat(report.getSettings().getGpuOffloadFraction()).as("n_gpu_layers -1: every layer").isEqualTo(1.0);
    assertThat(report.getSettings().getOffloadMethod()).isEqualTo(OffloadMethod.LAYERS_REQUESTED);
    assertThat(report.getModel().getName()).isEqualTo("Qwen2.5-7B-Instruct-Q4_K_M.gguf");
    assertThat(report.getModel().getQuantization()).isEqualTo("Q4_K_M");
    assertThat(report.getRepetitions()).extracting(Repetition::getGenerationDurationNanos)
        .containsExactly(1075361300L, 1065089400L, 1071761200L, 1081934900L, 1089692600L);
    assertThat(report.getSummary().getGenerationTokensPerSecondMedian()).as("the median of samples_ts").isCloseTo(119.03, within(0.01));
    assertThat(report.getSummary().getPromptTokensPerSecondMedian()).as("the median of the pp samples").isCloseTo(7136.37, within(0.01));
  }
}
