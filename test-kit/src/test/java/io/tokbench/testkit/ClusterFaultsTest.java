package io.tokbench.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tokbench.registry.client.RegistryClientConfig;
import io.tokbench.registry.client.RegistryException;
import io.tokbench.registry.client.SchemaRegistryClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The test kit's faults are real: a killed broker's partitions fail over to the other replicas and
 * nothing acknowledged is lost; a stopped broker hands its leaderships over first; with two of
 * three brokers gone writes are refused rather than kept in one copy; a restarted registry answers
 * on the same URL with the same ids.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ClusterFaultsTest {
  private static InProcessKafkaStack stack;
  private static Admin admin;

  @BeforeAll
  static void start() {
    stack = InProcessKafkaStack.start(3);
    admin = Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers()));
  }

  @AfterAll
  static void stop() {
    admin.close();
    stack.close();
  }

  @Test
  void theClusterRunsTheFeaturesOfAReleasedKafka() throws Exception {
    // Transactions version 2 (KIP-890), as on a cluster formatted by a 4.x release.
    assertThat(admin.describeFeatures().featureMetadata().get().finalizedFeatures().get("transaction.version").maxVersionLevel()).isEqualTo((short) 2);
  }

  @Test
  void aKilledBrokerLosesNothingAcknowledgedAndARestartedOneCatchesUp() throws Exception {
    String topic = "faults-kill";
    admin.createTopics(List.of(new NewTopic(topic, 3, (short) 3))).all().get();
    awaitIsr(topic, 3);
    try (KafkaProducer<String, String> producer = producer()) {
      List<Future<RecordMetadata>> sent = send(producer, topic, 0, 200);
      int victim = leaderOf(topic, 0);
      stack.killBroker(victim);
      sent.addAll(send(producer, topic, 200, 400));
      for (Future<RecordMetadata> ack : sent) {
        ack.get();
      }
      TopicDescription during = describe(topic);
      assertThat(during.partitions()).as("new leaders among the survivors").allSatisfy(p -> assertThat(p.leader().id()).isNotEqualTo(victim));

      stack.startBroker(victim);
      awaitIsr(topic, 3);
    }
    assertThat(readAll(topic)).as("every acknowledged record, once").hasSize(400).doesNotHaveDuplicates();
  }

  @Test
  void aStoppedBrokerHandsItsLeadershipsOverBeforeItGoes() throws Exception {
    String topic = "faults-stop";
    admin.createTopics(List.of(new NewTopic(topic, 3, (short) 3))).all().get();
    awaitIsr(topic, 3);
    int victim = leaderOf(topic, 1);
    stack.stopBroker(victim);
    try {
      // No wait for the controller to notice: the hand-over happened before the broker left.
      assertThat(describe(topic).partitions()).allSatisfy(p -> assertThat(p.leader().id()).isNotEqualTo(victim));
      try (KafkaProducer<String, String> producer = producer()) {
        for (Future<RecordMetadata> ack : send(producer, topic, 0, 50)) {
          ack.get();
        }
      }
    } finally {
      stack.startBroker(victim);
    }
    awaitIsr(topic, 3);
  }

  @Test
  void withTwoOfThreeBrokersGoneWritesAreRefusedNotKeptInOneCopy() throws Exception {
    String topic = "faults-two-down";
    admin.createTopics(List.of(new NewTopic(topic, 1, (short) 3))).all().get();
    awaitIsr(topic, 3);
    List<Integer> others = new ArrayList<>(stack.brokerIds());
    others.remove(Integer.valueOf(leaderOf(topic, 0)));
    others.forEach(stack::stopBroker);
    try {
      awaitIsr(topic, 1);
      // No retries, so the broker's own verdict comes back instead of a delivery timeout.
      Map<String, Object> config = producerConfig();
      config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
      config.put(ProducerConfig.RETRIES_CONFIG, 0);
      try (KafkaProducer<String, String> producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
        Future<RecordMetadata> ack = producer.send(new ProducerRecord<>(topic, "k", "one copy only"));
        assertThatThrownBy(ack::get).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(NotEnoughReplicasException.class);
      }
    } finally {
      others.forEach(stack::startBroker);
    }
    awaitIsr(topic, 3);
  }

  @Test
  void aRestartedRegistryAnswersOnTheSameUrlWithTheSameIds() {
    Schema schema = SchemaBuilder.record("Fault").namespace("faults").fields().requiredString("what").endRecord();
    SchemaRegistryClient client = new SchemaRegistryClient(RegistryClientConfig.of(stack.registryUrl()));
    int id = client.register("faults-value", schema);
    stack.stopRegistry();
    try {
      SchemaRegistryClient cold = new SchemaRegistryClient(RegistryClientConfig.of(stack.registryUrl()));
      assertThatThrownBy(() -> cold.schemaById(id)).isInstanceOf(RegistryException.class);
    } finally {
      stack.startRegistry();
    }
    SchemaRegistryClient cold = new SchemaRegistryClient(RegistryClientConfig.of(stack.registryUrl()));
    assertThat(cold.schemaById(id)).isEqualTo(schema);
    assertThat(cold.register("faults-value", schema)).isEqualTo(id);
  }

  private static Map<String, Object> producerConfig() {
    Map<String, Object> config = new HashMap<>(Map.of("bootstrap.servers", stack.bootstrapServers()));
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    return config;
  }

  private static KafkaProducer<String, String> producer() {
    return new KafkaProducer<>(producerConfig(), new StringSerializer(), new StringSerializer());
  }

  private static List<Future<RecordMetadata>> send(KafkaProducer<String, String> producer, String topic, int from, int to) {
    List<Future<RecordMetadata>> sent = new ArrayList<>();
    for (int i = from; i < to; i++) {
      sent.add(producer.send(new ProducerRecord<>(topic, "key-" + i, "value-" + i)));
    }
    return sent;
  }

  private static List<String> readAll(String topic) {
    Map<String, Object> config = new HashMap<>(Map.of("bootstrap.servers", stack.bootstrapServers()));
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    return TopicReader.values(config, topic, new StringDeserializer(), 400, Duration.ofSeconds(30));
  }

  private static int leaderOf(String topic, int partition) throws Exception {
    return describe(topic).partitions().get(partition).leader().id();
  }

  private static TopicDescription describe(String topic) throws Exception {
    return admin.describeTopics(Set.of(topic)).allTopicNames().get().get(topic);
  }

  /** Waits until every partition of the topic has exactly {@code replicas} in-sync replicas. */
  private static void awaitIsr(String topic, int replicas) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    List<TopicPartitionInfo> partitions = List.of();
    while (System.nanoTime() < deadline) {
      try {
        partitions = describe(topic).partitions();
        if (partitions.stream().allMatch(p -> p.isr().size() == replicas)) {
          return;
        }
      } catch (ExecutionException e) {
        // a new topic not yet known everywhere
      }
      Thread.sleep(200);
    }
    throw new AssertionError("ISR of " + topic + " did not become " + replicas + " replicas: " + partitions);
  }
}
