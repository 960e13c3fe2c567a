package io.tokbench.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** A multi-broker stack really has three brokers: topics replicate across them. */
@WithKafkaStack(brokers = 3)
class ThreeBrokerStackTest {

  @Test
  void topicsReplicateAcrossThreeBrokers(KafkaStack stack) throws Exception {
    assertThat(stack.brokers()).isEqualTo(3);
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers()))) {
      assertThat(admin.describeCluster().nodes().get()).hasSize(3);
      admin.createTopics(List.of(new NewTopic("replicated", 2, (short) 3))).all().get();
      TopicDescription description = describeOnceAllBrokersKnow(admin, "replicated");
      assertThat(description.partitions()).allSatisfy(p -> assertThat(p.isr()).hasSize(3));
    }
    Map<String, Object> config = new HashMap<>(Map.of("bootstrap.servers", stack.bootstrapServers()));
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
      RecordMetadata metadata = producer.send(new ProducerRecord<>("replicated", "k", "v")).get();
      assertThat(metadata.offset()).isZero();
    }
  }

  /** A new topic reaches every broker's metadata a moment after it is created. */
  private static TopicDescription describeOnceAllBrokersKnow(Admin admin, String topic) throws Exception {
    long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
    while (true) {
      try {
        TopicDescription description = admin.describeTopics(Set.of(topic)).allTopicNames().get().get(topic);
        if (description.partitions().stream().allMatch(p -> p.isr().size() == 3) || System.nanoTime() > deadline) {
          return description;
        }
      } catch (java.util.concurrent.ExecutionException e) {
        if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
          throw e;
        }
      }
      Thread.sleep(100);
    }
  }
}
