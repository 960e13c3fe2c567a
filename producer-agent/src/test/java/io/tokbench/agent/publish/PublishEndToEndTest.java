package io.tokbench.agent.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.tokbench.agent.cli.ExitCodes;
import io.tokbench.agent.config.RigIdentity;
import io.tokbench.agent.fakes.AgentRun;
import io.tokbench.agent.fakes.FakeOllama;
import io.tokbench.agent.spool.Spool;
import io.tokbench.schema.Backend;
import io.tokbench.schema.BenchmarkReport;
import io.tokbench.schema.GpuVendor;
import io.tokbench.serde.AvroDeserializer;
import io.tokbench.testkit.FreePorts;
import io.tokbench.testkit.KafkaStack;
import io.tokbench.testkit.TopicReader;
import io.tokbench.testkit.WithKafkaStack;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tokbench-agent probe} against the Ollama fake, publishing through the real serde to a
 * real broker and registry; and the spool when the broker is away.
 */
@WithKafkaStack
class PublishEndToEndTest {
  private final KafkaStack stack;
  private final FakeOllama ollama = new FakeOllama();
  @TempDir Path home;

  PublishEndToEndTest(KafkaStack stack) {
    this.stack = stack;
  }

  @AfterEach
  void stopOllama() {
    ollama.close();
  }

  private String topic() throws Exception {
    String topic = "reports-" + UUID.randomUUID();
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get();
    }
    return topic;
  }

  private AgentRun agent(String topic, String bootstrap) {
    return new AgentRun(home)
        .env("TOKBENCH_BOOTSTRAP_SERVERS", bootstrap)
        .env("TOKBENCH_SCHEMA_REGISTRY_URL", stack.registryUrl())
        .env("TOKBENCH_TOPIC", topic);
  }

  private List<BenchmarkReport> published(String topic, int expected, Duration wait) {
    return TopicReader.values(stack.clientConfig(), topic, new AvroDeserializer<>(BenchmarkReport.class), expected, wait);
  }

  @Test
  void probePublishesOneCompleteReportPerShape() throws Exception {
    String topic = topic();
    AgentRun agent = agent(topic, stack.bootstrapServers());
    AgentRun.Result result = agent.run("probe", "--url", ollama.url(), "--model", FakeOllama.MODEL, "--ctx", "4096,8192", "--repetitions", "3", "--yes");

    assertThat(result.exitCode()).as(result.err()).isEqualTo(ExitCodes.OK);
    assertThat(result.out()).contains("Delivered 2 report(s)");
    List<BenchmarkReport> reports = published(topic, 2, Duration.ofSeconds(30));
    assertThat(reports).hasSize(2);
    assertThat(reports).extracting(r -> r.getSettings().getContextLength()).containsExactlyInAnyOrder(4096, 8192);

    BenchmarkReport report = reports.get(0);
    assertThat(report.getRigId()).isEqualTo(RigIdentity.load(agent.configDir()));
    assertThat(report.getSchemaVersion()).isEqualTo(5);
    assertThat(report.getSuiteId()).isEqualTo("tokbench-suite-1");
    assertThat(report.getAgentVersion()).isEqualTo("0.1.0");
    assertThat(report.getHardware().getGpus()).singleElement().satisfies(gpu -> {
      assertThat(gpu.getVendor()).isEqualTo(GpuVendor.NVIDIA);
      assertThat(gpu.getRawName()).isEqualTo("NVIDIA GeForce RTX 4090");
      assertThat(gpu.getCanonicalId()).isEqualTo("nvidia-rtx-4090");
      assertThat(gpu.getVramBytes()).isEqualTo(24564L * 1024 * 1024);
      assertThat(gpu.getDriverVersion()).isEqualTo("550.120");
      assertThat(gpu.getCount()).isEqualTo(1);
    });
    assertThat(report.getHardware().getCpu().getModel()).contains("Ryzen 9 7950X");
    assertThat(report.getHardware().getRamBytes()).isPositive();
    assertThat(report.getHardware().getOs().getName()).isEqualTo("linux");
    assertThat(report.getHardware().getOs().getVersion()).contains("Ubuntu");
    assertThat(report.getHardware().getOs().getKernel()).isEqualTo("6.8.0-45-generic");
    assertThat(report.getHardware().getOs().getArchitecture()).isEqualTo("x86_64");
    assertThat(report.getRuntime().getName()).isEqualTo("ollama");
    assertThat(report.getRuntime().getVersion()).isEqualTo("0.12.6");
    assertThat(report.getRuntime().getBackend()).isEqualTo(Backend.CUDA);
    // Ollama's /api/ps says how much of the model is in VRAM; the backend is the GPU's usual one.
    assertThat(report.getSettings().getOffloadMethod()).isEqualTo(io.tokbench.schema.OffloadMethod.RUNTIME_REPORTED);
    assertThat(report.getRuntime().getBackendSource()).isEqualTo(io.tokbench.schema.BackendSource.RIG_DEFAULT);
    assertThat(report.getModel().getName()).isEqualTo(FakeOllama.MODEL);
    assertThat(report.getModel().getQuantization()).isEqualTo("Q4_K_M");
    assertThat(report.getModel().getFamily()).isEqualTo("llama");
    assertThat(report.getModel().getArchitecture().getAttentionHeadCountKv()).isEqualTo(8);
    assertThat(report.getSettings().getPromptTokens()).isEqualTo(512);
    assertThat(report.getSettings().getGeneratedTokens()).isEqualTo(128);
    assertThat(report.getSettings().getConcurrency()).isEqualTo(1);
    assertThat(report.getSettings().getGpusUsed()).isEqualTo(1);
    assertThat(report.getRepetitions()).hasSize(3);
    assertThat(report.getSummary().getGenerationTokensPerSecondMedian()).isCloseTo(88.0, within(1e-6));
    assertThat(report.getPower().getAverageGpuWatts()).isCloseTo(351.2, within(1e-9));
    assertThat(new Spool(agent.configDir().resolve("spool")).list()).as("delivered reports leave the spool").isEmpty();
  }

  @Test
  void aReportCarriesNothingThatIdentifiesTheContributor() throws Exception {
    String topic = topic();
    agent(topic, stack.bootstrapServers()).run("probe", "--url", ollama.url(), "--model", FakeOllama.MODEL, "--repetitions", "1", "--yes");
    String json = published(topic, 1, Duration.ofSeconds(30)).get(0).toString();

    assertThat(json).doesNotContain(System.getProperty("user.name")).doesNotContain(home.toString());
    assertThat(json).doesNotContain(InetAddress.getLocalHost().getHostName());
    assertThat(json).doesNotContainPattern("\\b\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\b");
    assertThat(json).doesNotContainPattern("(?i)\\b([0-9a-f]{2}:){5}[0-9a-f]{2}\\b");
    assertThat(json).as("PCI bus ids stay on the machine").doesNotContain("00000000:01:00.0");
    assertThat(json.toLowerCase()).doesNotContain("serial").doesNotContain("hostname");
  }

  @Test
  void withTheBrokerDownReportsAreSpooledThenFlushedExactlyOnce() throws Exception {
    String topic = topic();
    int deadPort = FreePorts.next();
    // A short delivery timeout for the agent that cannot reach a broker only: the ones that can get
    // the default, as a first send (a new schema subject, metadata, a producer id) may be slow here.
    AgentRun offline = agent(topic, "127.0.0.1:" + deadPort).env("TOKBENCH_DELIVERY_TIMEOUT_MS", "3000");
    AgentRun.Result probe = offline.run("probe", "--url", ollama.url(), "--model", FakeOllama.MODEL, "--ctx", "4096,8192", "--repetitions", "1", "--yes");

    assertThat(probe.exitCode()).as(probe.err()).isEqualTo(ExitCodes.SPOOLED);
    assertThat(probe.err()).contains("2 report(s) wait in the spool").contains("tokbench-agent flush");
    List<Spool.Entry> spooled = new Spool(offline.configDir().resolve("spool")).list();
    assertThat(spooled).hasSize(2);
    assertThat(offline.run("spool").out()).contains("2 report(s) wait");

    // A corrupt file that sorts first must not hold up the two good reports.
    java.nio.file.Files.writeString(offline.configDir().resolve("spool").resolve("0000000000000-corrupt.avro"), "not a report");
    AgentRun online = agent(topic, stack.bootstrapServers());
    AgentRun.Result flush = online.run("flush");
    assertThat(flush.exitCode()).as(flush.err()).isEqualTo(ExitCodes.OK);
    assertThat(flush.out()).contains("Delivered 2 report(s)");
    assertThat(flush.err()).contains("1 unreadable spool file(s) were moved aside");
    assertThat(online.run("spool").out()).contains("is empty", "1 unreadable file(s) were moved aside", "0000000000000-corrupt.avro");
    AgentRun.Result again = online.run("flush");
    assertThat(again.out()).contains("Nothing to deliver");

    List<BenchmarkReport> delivered = published(topic, 3, Duration.ofSeconds(8));
    assertThat(delivered).extracting(BenchmarkReport::getReportId)
        .containsExactlyInAnyOrderElementsOf(spooled.stream().map(e -> e.report().getReportId()).toList());
  }
}
