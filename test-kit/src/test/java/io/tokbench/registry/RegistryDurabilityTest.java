package io.tokbench.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokbench.registry.client.RegistryClientConfig;
import io.tokbench.registry.client.SchemaRegistryClient;
import io.tokbench.registry.server.SchemaRegistryServer;
import io.tokbench.testkit.InProcessKafkaStack;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * This project's registry keeps its state only in the {@code _schemas} topic: ids survive a restart,
 * and several instances on one topic agree, even when they register at the same time.
 */
class RegistryDurabilityTest {
  private static KafkaClusterTestKit cluster;

  @BeforeAll
  static void startCluster() {
    cluster = InProcessKafkaStack.startCluster(1);
  }

  @AfterAll
  static void stopCluster() throws Exception {
    cluster.close();
  }

  private static SchemaRegistryServer registry(String topic) {
    return SchemaRegistryServer.start(SchemaRegistryServer.Config.forBroker(cluster.bootstrapServers()).withHost("127.0.0.1").withPort(0).withTopic(topic));
  }

  private static Schema record(String name) {
    return SchemaBuilder.record(name).namespace("durability").fields().requiredDouble("tps").endRecord();
  }

  @Test
  void idsAndVersionsSurviveARestart() {
    int first;
    int second;
    try (SchemaRegistryServer before = registry("_schemas_restart")) {
      SchemaRegistryClient client = new SchemaRegistryClient(RegistryClientConfig.of(before.url()));
      first = client.register("a-value", record("A"));
      second = client.register("b-value", record("B"));
    }
    try (SchemaRegistryServer after = registry("_schemas_restart")) {
      SchemaRegistryClient client = new SchemaRegistryClient(RegistryClientConfig.of(after.url()));
      assertThat(client.schemaById(first)).isEqualTo(record("A"));
      assertThat(client.schemaById(second)).isEqualTo(record("B"));
      assertThat(client.register("a-value", record("A"))).as("same id after restart").isEqualTo(first);
      assertThat(client.register("c-value", record("C"))).as("new ids continue, never reuse").isGreaterThan(Math.max(first, second));
      assertThat(client.latest("b-value").version()).isEqualTo(1);
    }
  }

  @Test
  void twoInstancesOnOneTopicAgreeUnderConcurrentWrites() throws Exception {
    try (SchemaRegistryServer left = registry("_schemas_pair");
        SchemaRegistryServer right = registry("_schemas_pair")) {
      SchemaRegistryClient leftClient = new SchemaRegistryClient(RegistryClientConfig.of(left.url()));
      SchemaRegistryClient rightClient = new SchemaRegistryClient(RegistryClientConfig.of(right.url()));

      // Both instances register into the same subject and allocate ids at the same time.
      List<Callable<Map.Entry<Schema, Integer>>> tasks = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        Schema schema = SchemaBuilder.record("R").namespace("pair").fields().optionalString("f" + i).endRecord();
        SchemaRegistryClient client = i % 2 == 0 ? leftClient : rightClient;
        String subject = "shared-" + (i % 3) + "-value";
        tasks.add(() -> Map.entry(schema, client.register(subject, schema)));
      }
      ExecutorService pool = Executors.newFixedThreadPool(6);
      Map<Schema, Integer> ids = new HashMap<>();
      try {
        for (Future<Map.Entry<Schema, Integer>> result : pool.invokeAll(tasks)) {
          ids.put(result.get().getKey(), result.get().getValue());
        }
      } finally {
        pool.shutdown();
      }

      assertThat(ids.values()).as("every schema got its own id").doesNotHaveDuplicates().hasSize(12);
      for (Map.Entry<Schema, Integer> entry : ids.entrySet()) {
        assertThat(new SchemaRegistryClient(RegistryClientConfig.of(left.url())).schemaById(entry.getValue())).isEqualTo(entry.getKey());
        assertThat(new SchemaRegistryClient(RegistryClientConfig.of(right.url())).schemaById(entry.getValue())).isEqualTo(entry.getKey());
      }
      for (int s = 0; s < 3; s++) {
        assertThat(leftClient.versions("shared-" + s + "-value")).containsExactly(1, 2, 3, 4);
        assertThat(rightClient.versions("shared-" + s + "-value")).containsExactly(1, 2, 3, 4);
      }
    }
  }
}
