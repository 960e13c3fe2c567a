package io.tokbench.deploy.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tokbench.agent.cli.ExitCodes;
import io.tokbench.agent.cli.TokbenchAgent;
import io.tokbench.agent.config.Environment;
import io.tokbench.agent.detect.HostProbe;
import io.tokbench.agent.spool.Spool;
import io.tokbench.aggregator.app.Aggregator;
import io.tokbench.aggregator.app.AggregatorConfig;
import io.tokbench.aggregator.topology.TopicInitializer;
import io.tokbench.aggregator.topology.Topics;
import io.tokbench.deploy.local.EmbeddedKafkaBroker;
import io.tokbench.registry.server.SchemaRegistryServer;
import io.tokbench.schema.BenchmarkReport;
import io.tokbench.security.ClientSecurity;
import io.tokbench.serde.AvroDeserializer;
import io.tokbench.testkit.FreePorts;
import io.tokbench.testkit.SampleReports;
import io.tokbench.testkit.TopicReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.quota.ClientQuotaAlteration;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker that demands SASL/SCRAM and authorizes by ACL (KRaft's StandardAuthorizer), set up with
 * the shipped {@link AclModel}: a contributor's agent publishes with its credentials and is refused
 * with a wrong password (exit 6, the report kept in its spool, not delivered); a contributor can
 * neither read reports nor write the tables; the aggregator runs end to end on its own grants.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SecuredClusterTest {
  private static final String ADMIN_PASSWORD = "admin-" + UUID.randomUUID();
  private static final String CONTRIBUTOR = "alice-rig";
  private static final String CONTRIBUTOR_PASSWORD = "alice-" + UUID.randomUUID();
  private static final String AGGREGATOR = "tokbench-aggregator";
  private static final String AGGREGATOR_PASSWORD = "aggregator-" + UUID.randomUUID();
  private static final String REGISTRY = "schema-registry";
  private static final String REGISTRY_PASSWORD = "registry-" + UUID.randomUUID();

  @TempDir static Path dir;
  private EmbeddedKafkaBroker broker;
  private SchemaRegistryServer registry;

  @BeforeAll
  void startSecuredCluster() throws Exception {
    broker = EmbeddedKafkaBroker.start(dir.resolve("kafka"), "localhost", FreePorts.next(), FreePorts.next(), ADMIN_PASSWORD);
    try (Admin admin = Admin.create(admin())) {
      List<UserScramCredentialUpsertion> users = new ArrayList<>();
      for (String[] user : List.of(new String[] {CONTRIBUTOR, CONTRIBUTOR_PASSWORD}, new String[] {AGGREGATOR, AGGREGATOR_PASSWORD}, new String[] {REGISTRY, REGISTRY_PASSWORD})) {
        users.add(new UserScramCredentialUpsertion(user[0], new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), user[1]));
      }
      admin.alterUserScramCredentials(new ArrayList<>(users)).all().get();
      List<org.apache.kafka.common.acl.AclBinding> acls = new ArrayList<>();
      acls.addAll(AclModel.contributor(CONTRIBUTOR));
      acls.addAll(AclModel.aggregator(AGGREGATOR, AggregatorConfig.DEFAULT_APPLICATION_ID));
      acls.addAll(AclModel.schemaRegistry(REGISTRY));
      admin.createAcls(acls).all().get();
      List<ClientQuotaAlteration.Op> quota = new ArrayList<>();
      AclModel.CONTRIBUTOR_QUOTA.forEach((key, value) -> quota.add(new ClientQuotaAlteration.Op(key, value)));
      admin.alterClientQuotas(List.of(new ClientQuotaAlteration(new ClientQuotaEntity(Map.of(ClientQuotaEntity.USER, CONTRIBUTOR)), quota))).all().get();
    }
    // On a secured cluster the operator makes the topics (the manifests' set-up); the aggregator only checks them.
    TopicInitializer.ensure(admin(), 3, (short) 1);
    registry = SchemaRegistryServer.start(SchemaRegistryServer.Config.forBroker(broker.bootstrapServers()).withHost("localhost").withPort(FreePorts.next())
        .withKafkaClientConfig(scram(REGISTRY, REGISTRY_PASSWORD)));
  }

  @AfterAll
  void stop() {
    if (registry != null) {
      registry.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void aContributorWithValidCredentialsPublishesAndAWrongPasswordIsRefusedWithoutLosingTheReport() throws Exception {
    BenchmarkReport delivered = SampleReports.rtx4090(UUID.randomUUID(), Instant.now().minusSeconds(60));
    Path goodConfig = dir.resolve("agent-good");
    new Spool(goodConfig.resolve("spool")).add(delivered);
    AgentResult ok = flush(goodConfig, CONTRIBUTOR_PASSWORD);
    assertThat(ok.exit()).as(ok.err()).isEqualTo(ExitCodes.OK);
    assertThat(new Spool(goodConfig.resolve("spool")).list()).isEmpty();

    BenchmarkReport refused = SampleReports.rtx4090(UUID.randomUUID(), Instant.now().minusSeconds(60));
    Path badConfig = dir.resolve("agent-bad");
    new Spool(badConfig.resolve("spool")).add(refused);
    AgentResult wrong = flush(badConfig, "not-" + CONTRIBUTOR_PASSWORD);
    assertThat(wrong.exit()).isEqualTo(ExitCodes.AUTHENTICATION_FAILED);
    assertThat(wrong.err()).containsIgnoringCase("authentication failed").doesNotContain(CONTRIBUTOR_PASSWORD);
    assertThat(new Spool(badConfig.resolve("spool")).list()).as("kept for a retry with the right password, not marked delivered")
        .extracting(Spool.Entry::report).containsExactly(refused);

    Map<String, Object> reader = new HashMap<>(admin());
    reader.put("schema.registry.url", registry.url());
    // Read until the delivered report arrives; the refused one was turned away before this read began.
    List<BenchmarkReport> onTopic = TopicReader.values(reader, Topics.REPORTS, new AvroDeserializer<>(BenchmarkReport.class),
        read -> read.stream().anyMatch(r -> r.getReportId().equals(delivered.getReportId())), Duration.ofSeconds(60));
    assertThat(onTopic).extracting(BenchmarkReport::getReportId).contains(delivered.getReportId()).doesNotContain(refused.getReportId());
  }

  @Test
  void aContributorCanNeitherReadReportsNorWriteTheTables() {
    Map<String, Object> contributor = new HashMap<>(scram(CONTRIBUTOR, CONTRIBUTOR_PASSWORD));
    contributor.put("bootstrap.servers", broker.bootstrapServers());
    contributor.put("group.id", "snooping");
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(contributor, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(Topics.REPORTS));
      assertThatThrownBy(() -> consumer.poll(Duration.ofSeconds(10))).isInstanceOf(AuthorizationException.class);
    }
    contributor.remove("group.id");
    contributor.put("max.block.ms", 10_000);
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(contributor, new ByteArraySerializer(), new ByteArraySerializer())) {
      assertThatThrownBy(() -> producer.send(new ProducerRecord<>(Topics.STATS, new byte[1], new byte[1])).get())
          .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(AuthorizationException.class);
    }
  }

  @Test
  void theAggregatorRunsEndToEndOnItsOwnGrants() throws Exception {
    BenchmarkReport report = SampleReports.rtx4090(UUID.randomUUID(), Instant.now().minusSeconds(60));
    Path config = dir.resolve("agent-for-aggregator");
    new Spool(config.resolve("spool")).add(report);
    assertThat(flush(config, CONTRIBUTOR_PASSWORD).exit()).isEqualTo(ExitCodes.OK);

    AggregatorConfig aggregatorConfig = new AggregatorConfig(broker.bootstrapServers(), registry.url(), AggregatorConfig.DEFAULT_APPLICATION_ID,
        "127.0.0.1", 0, "127.0.0.1", dir.resolve("aggregator-state"), 0, 3, (short) 1, scram(AGGREGATOR, AGGREGATOR_PASSWORD));
    try (Aggregator aggregator = Aggregator.start(aggregatorConfig)) {
      assertThat(aggregator.awaitRunning(Duration.ofSeconds(90))).isTrue();
      HttpClient http = HttpClient.newHttpClient();
      String body = "";
      long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      while (!body.contains("\"rigCount\":") && System.nanoTime() < deadline) {
        body = http.send(HttpRequest.newBuilder(URI.create(aggregator.apiUrl() + "/api/v1/stats")).build(), HttpResponse.BodyHandlers.ofString()).body();
        Thread.sleep(300);
      }
      assertThat(body).as("the report went through validation, aggregation and the exactly-once commits").contains("\"gpu\":\"nvidia-rtx-4090\"");
    }
  }

  private record AgentResult(int exit, String err) {}

  /** Runs {@code tokbench-agent flush} as a contributor would, configured by environment variables. */
  private AgentResult flush(Path configDir, String password) throws IOException {
    Files.createDirectories(configDir);
    Map<String, String> env = Map.of(
        "TOKBENCH_CONFIG_DIR", configDir.toString(),
        "TOKBENCH_BOOTSTRAP_SERVERS", broker.bootstrapServers(),
        "TOKBENCH_SCHEMA_REGISTRY_URL", registry.url(),
        "TOKBENCH_SECURITY_PROTOCOL", "SASL_PLAINTEXT",
        "TOKBENCH_SASL_MECHANISM", "SCRAM-SHA-512",
        "TOKBENCH_SASL_USERNAME", CONTRIBUTOR,
        "TOKBENCH_SASL_PASSWORD", password,
        "TOKBENCH_DELIVERY_TIMEOUT_MS", "15000");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = TokbenchAgent.commandLine(new Environment(env, configDir), HostProbe.system(), new ByteArrayInputStream(new byte[0]),
        new PrintWriter(out, true), new PrintWriter(err, true)).execute("flush");
    return new AgentResult(exit, err.toString() + out);
  }

  private Map<String, Object> admin() {
    Map<String, Object> config = new HashMap<>(ClientSecurity.sasl("SASL_PLAINTEXT", "PLAIN", EmbeddedKafkaBroker.ADMIN_USER, ADMIN_PASSWORD).clientProperties());
    config.put("bootstrap.servers", broker.bootstrapServers());
    return config;
  }

  private static Map<String, Object> scram(String user, String password) {
    return ClientSecurity.sasl("SASL_PLAINTEXT", "SCRAM-SHA-512", user, password).clientProperties();
  }

}
