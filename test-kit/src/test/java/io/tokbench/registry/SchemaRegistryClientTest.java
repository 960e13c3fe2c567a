package io.tokbench.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tokbench.registry.client.RegistryClientConfig;
import io.tokbench.registry.client.RegistryException;
import io.tokbench.registry.client.SchemaRegistryClient;
import io.tokbench.testkit.FreePorts;
import io.tokbench.testkit.KafkaStack;
import io.tokbench.testkit.WithKafkaStack;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;

/** The client against a live registry: every call, its errors, and failover between URLs. */
@WithKafkaStack
class SchemaRegistryClientTest {
  private static final Schema V1 = SchemaBuilder.record("Rate").namespace("client").fields().requiredDouble("tps").endRecord();
  private static final Schema V2 =
      SchemaBuilder.record("Rate").namespace("client").fields().requiredDouble("tps").optionalString("gpu").endRecord();
  private static final Schema BREAKING =
      SchemaBuilder.record("Rate").namespace("client").fields().requiredDouble("tps").requiredString("gpu").endRecord();

  private final KafkaStack stack;
  private final SchemaRegistryClient client;

  SchemaRegistryClientTest(KafkaStack stack) {
    this.stack = stack;
    this.client = new SchemaRegistryClient(RegistryClientConfig.of(stack.registryUrl()));
  }

  @Test
  void registerLookUpAndReadBack() {
    int id = client.register("rates-value", V1);
    assertThat(client.lookup("rates-value", V1).id()).isEqualTo(id);
    assertThat(client.idOf("rates-value", V1)).isEqualTo(id);
    assertThat(client.schemaById(id)).isEqualTo(V1);
    assertThat(client.isCompatible("rates-value", "latest", V2)).isTrue();
    assertThat(client.isCompatible("rates-value", "latest", BREAKING)).isFalse();
    int id2 = client.register("rates-value", V2);
    assertThat(client.versions("rates-value")).containsExactly(1, 2);
    assertThat(client.latest("rates-value").id()).isEqualTo(id2);
    assertThat(client.subjects()).contains("rates-value");
  }

  @Test
  void anIncompatibleSchemaFailsWithTheSubjectAndCode() {
    client.register("strict-value", V1);
    assertThatThrownBy(() -> client.register("strict-value", BREAKING))
        .isInstanceOfSatisfying(RegistryException.class, e -> {
          assertThat(e.httpStatus()).isEqualTo(409);
          assertThat(RegistryError.isIncompatible(e.errorCode())).isTrue();
          assertThat(e.subject()).isEqualTo("strict-value");
        })
        .hasMessageContaining("strict-value");
  }

  @Test
  void compatibilityLevelsAndDeletion() {
    client.register("levels-value", V1);
    client.setCompatibility("levels-value", CompatibilityLevel.NONE);
    assertThat(client.compatibility("levels-value")).isEqualTo(CompatibilityLevel.NONE);
    assertThat(client.compatibility("levels-unset-value")).isEqualTo(client.compatibility(null));
    client.register("levels-value", BREAKING);

    assertThat(client.deleteSubject("levels-value", false)).containsExactly(1, 2);
    assertThat(client.deleteSubject("levels-value", true)).containsExactly(1, 2);
    assertThatThrownBy(() -> client.latest("levels-value"))
        .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.errorCode()).isEqualTo(RegistryError.SUBJECT_NOT_FOUND));
  }

  @Test
  void failsOverToTheNextUrlWhenOneIsDown() throws Exception {
    int deadPort = FreePorts.next();
    SchemaRegistryClient failover =
        new SchemaRegistryClient(RegistryClientConfig.fromConfigs(Map.of("schema.registry.url", "http://127.0.0.1:" + deadPort + "," + stack.registryUrl())));
    assertThat(failover.register("failover-value", V1)).isPositive();
  }

  @Test
  void anUnreachableRegistryFailsAfterItsRetriesWithTheCause() throws Exception {
    int deadPort = FreePorts.next();
    SchemaRegistryClient dead =
        new SchemaRegistryClient(RegistryClientConfig.fromConfigs(Map.of("schema.registry.url", "http://127.0.0.1:" + deadPort, "max.retries", "1")));
    assertThatThrownBy(() -> dead.register("nowhere-value", V1))
        .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.httpStatus()).isZero())
        .hasMessageContaining("nowhere-value")
        .hasMessageContaining("127.0.0.1:" + deadPort);
  }

}
