package io.tokbench.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;

/** Reads a topic from the beginning in a fresh consumer group, as a downstream consumer would. */
public final class TopicReader {
  private TopicReader() {}

  /**
   * The values of a topic, read until {@code expected} arrived or {@code timeout} passed; the
   * caller asserts on what came back, so a short read fails the test with the records it did see.
   */
  public static <V> List<V> values(Map<String, Object> clientConfig, String topic, Deserializer<V> deserializer, int expected, Duration timeout) {
    return values(clientConfig, topic, deserializer, read -> read.size() >= expected, timeout);
  }

  /** The values of a topic, read until what arrived satisfies {@code enough} or {@code timeout} passed. */
  public static <V> List<V> values(Map<String, Object> clientConfig, String topic, Deserializer<V> deserializer, Predicate<List<V>> enough, Duration timeout) {
    Map<String, Object> config = new HashMap<>(clientConfig);
    config.put(ConsumerConfig.GROUP_ID_CONFIG, "topic-reader-" + UUID.randomUUID());
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    deserializer.configure(config, false);
    List<V> values = new ArrayList<>();
    try (KafkaConsumer<byte[], V> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), deserializer)) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!enough.test(values) && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], V> record : consumer.poll(Duration.ofMillis(200))) {
          values.add(record.value());
        }
      }
    }
    return values;
  }
}
