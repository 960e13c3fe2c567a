package io.tokbench.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tokbench.registry.client.RegistryClientConfig;
import io.tokbench.registry.client.SchemaRegistryClient;
import io.tokbench.registry.server.SchemaRegistryServer;
import io.tokbench.schema.BenchmarkReport;
import io.tokbench.testkit.InProcessKafkaStack;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry over HTTPS: a client given the registry's CA in a truststore (Confluent's
 * schema.registry.ssl.truststore.* keys) registers and reads schemas; one without it is refused
 * with the certificate error, before any credential or schema is sent.
 */
class RegistryTlsTest {
  private static final String PASSWORD = "changeit";
  private static KafkaClusterTestKit cluster;
  @TempDir static Path dir;

  @BeforeAll
  static void startCluster() {
    cluster = InProcessKafkaStack.startCluster(1);
  }

  @AfterAll
  static void stopCluster() throws Exception {
    cluster.close();
  }

  /** A self-signed certificate for localhost, and a truststore holding it, made with the JDK's keytool. */
  private static void keytool(String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes());
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(out).isZero();
  }

  @Test
  void aClientTrustingTheRegistrysCertificateRegistersAndOneWithoutItIsRefused() throws Exception {
    Path keystore = dir.resolve("registry.p12");
    Path certificate = dir.resolve("registry.crt");
    Path truststore = dir.resolve("trust.p12");
    keytool("-genkeypair", "-alias", "registry", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1",
        "-validity", "2", "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD);
    keytool("-exportcert", "-alias", "registry", "-keystore", keystore.toString(), "-storepass", PASSWORD, "-file", certificate.toString());
    keytool("-importcert", "-noprompt", "-alias", "registry", "-file", certificate.toString(), "-storetype", "PKCS12", "-keystore", truststore.toString(),
        "-storepass", PASSWORD);

    SchemaRegistryServer.Config config = SchemaRegistryServer.Config.forBroker(cluster.bootstrapServers()).withHost("127.0.0.1").withPort(0)
        .withTopic("_schemas_tls").withTls(new SchemaRegistryServer.Config.Tls(keystore, PASSWORD, "PKCS12"));
    try (SchemaRegistryServer registry = SchemaRegistryServer.start(config)) {
      assertThat(registry.url()).startsWith("https://");

      SchemaRegistryClient trusting = new SchemaRegistryClient(RegistryClientConfig.fromConfigs(Map.of(
          RegistryClientConfig.URL, registry.url(),
          RegistryClientConfig.SSL_TRUSTSTORE_LOCATION, truststore.toString(),
          RegistryClientConfig.SSL_TRUSTSTORE_PASSWORD, PASSWORD)));
      int id = trusting.register("tokbench.reports-value", BenchmarkReport.getClassSchema());
      assertThat(trusting.schemaById(id)).isEqualTo(BenchmarkReport.getClassSchema());

      SchemaRegistryClient untrusting = new SchemaRegistryClient(RegistryClientConfig.fromConfigs(Map.of(
          RegistryClientConfig.URL, registry.url(), RegistryClientConfig.MAX_RETRIES, 0)));
      assertThatThrownBy(() -> untrusting.schemaById(id)).hasStackTraceContaining("PKIX");
    }
  }
}
