package io.tokbench.registry.server;

import io.tokbench.registry.CompatibilityLevel;
import io.tokbench.registry.RegistryError;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry's durable store: a one-partition compacted Kafka topic, replayed into a
 * {@link RegistryState} by a reader thread. Writes go to the topic and count as done only once the
 * reader has applied them; reads first catch up with the topic's end, so an instance answers with
 * everything any instance wrote before the request arrived.
 */
final class SchemaStore implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SchemaStore.class);

  private final String topic;
  private final TopicPartition partition;
  private final Duration timeout;
  private final Admin admin;
  private final KafkaProducer<byte[], byte[]> producer;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final RegistryState state;
  private final Thread reader;
  private final Object progress = new Object();
  private long appliedUpTo; // next offset to apply; guarded by progress
  private volatile RuntimeException readerFailure;
  private volatile boolean closing;

  SchemaStore(Map<String, Object> kafkaConfig, String topic, CompatibilityLevel defaultLevel, Duration timeout) {
    this.topic = topic;
    this.partition = new TopicPartition(topic, 0);
    this.timeout = timeout;
    this.state = new RegistryState(defaultLevel);

    Map<String, Object> adminConfig = new HashMap<>(kafkaConfig);
    adminConfig.putIfAbsent(AdminClientConfig.CLIENT_ID_CONFIG, "schema-registry-admin");
    this.admin = Admin.create(adminConfig);

    Map<String, Object> producerConfig = new HashMap<>(kafkaConfig);
    producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
    producerConfig.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    producerConfig.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    producerConfig.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "schema-registry-writer");
    this.producer = new KafkaProducer<>(producerConfig, new ByteArraySerializer(), new ByteArraySerializer());

    Map<String, Object> consumerConfig = new HashMap<>(kafkaConfig);
    consumerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    consumerConfig.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    consumerConfig.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "schema-registry-reader");
    this.consumer = new KafkaConsumer<>(consumerConfig, new ByteArrayDeserializer(), new ByteArrayDeserializer());

    this.reader = new Thread(this::readLoop, "schema-registry-reader-" + topic);
    this.reader.setDaemon(true);
  }

  /** Creates or checks the topic, then replays it; returns once the state is current. */
  void start() {
    ensureTopic();
    consumer.assign(List.of(partition));
    consumer.seekToBeginning(List.of(partition));
    reader.start();
    awaitApplied(endOffset());
    log.info("Schema store caught up with {} at offset {}", topic, appliedUpTo());
  }

  /** Runs a query on a state that includes every write acknowledged before this call. */
  <T> T read(Function<RegistryState, T> query) {
    awaitApplied(endOffset());
    return readLocal(query);
  }

  /** Runs a query on the state as this instance has it now, without catching up. */
  <T> T readLocal(Function<RegistryState, T> query) {
    synchronized (state) {
      return query.apply(state);
    }
  }

  /** Appends a record and returns once this instance has applied it. */
  void append(StoreRecord record) {
    SchemasTopicCodec.Encoded encoded = SchemasTopicCodec.encode(record);
    long offset;
    try {
      offset = producer.send(new ProducerRecord<>(topic, 0, encoded.key(), encoded.value())).get(timeout.toMillis(), TimeUnit.MILLISECONDS).offset();
    } catch (TimeoutException e) {
      throw new RegistryProblem(RegistryError.OPERATION_TIMEOUT, "Write to the Kafka store timed out after " + timeout.toMillis() + " ms");
    } catch (ExecutionException e) {
      throw new RegistryProblem(RegistryError.STORE_ERROR, "Error while writing to the Kafka store: " + e.getCause().getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RegistryProblem(RegistryError.OPERATION_TIMEOUT, "Interrupted while writing to the Kafka store");
    }
    awaitApplied(offset + 1);
  }

  private void ensureTopic() {
    int brokers = await(admin.describeCluster().nodes(), "describing the cluster").size();
    short replication = (short) Math.min(3, Math.max(1, brokers));
    NewTopic newTopic =
        new NewTopic(topic, 1, replication).configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
    try {
      await(admin.createTopics(List.of(newTopic)).all(), "creating " + topic);
      log.info("Created schema topic {} (1 partition, replication {}, compacted)", topic, replication);
    } catch (IllegalStateException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw e;
      }
      verifyTopic();
    }
  }

  /** A schema topic with more than one partition or without compaction would lose or misorder schemas. */
  private void verifyTopic() {
    TopicDescription description = await(admin.describeTopics(Set.of(topic)).allTopicNames(), "describing " + topic).get(topic);
    if (description.partitions().size() != 1) {
      throw new IllegalStateException("Schema topic " + topic + " has " + description.partitions().size() + " partitions; it must have exactly 1");
    }
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    String policy = await(admin.describeConfigs(Set.of(resource)).all(), "describing " + topic).get(resource).get(TopicConfig.CLEANUP_POLICY_CONFIG).value();
    if (!TopicConfig.CLEANUP_POLICY_COMPACT.equals(policy)) {
      throw new IllegalStateException("Schema topic " + topic + " has cleanup.policy=" + policy + "; it must be compact, or old schemas are deleted");
    }
  }

  private <T> T await(KafkaFuture<T> future, String what) {
    try {
      return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException("Kafka refused " + what + ": " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("Kafka did not answer within " + timeout.toMillis() + " ms while " + what, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while " + what, e);
    }
  }

  /**
   * The topic's end offset. Right after the topic is created some brokers may not know it yet, so
   * retriable errors (unknown partition, leader moving) are retried until the timeout.
   */
  private long endOffset() {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        return admin.listOffsets(Map.of(partition, OffsetSpec.latest())).partitionResult(partition)
            .get(timeout.toMillis(), TimeUnit.MILLISECONDS).offset();
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof RetriableException) || System.nanoTime() > deadline) {
          throw new RegistryProblem(RegistryError.STORE_ERROR, "Cannot read the end of the Kafka store " + topic + ": " + e.getCause());
        }
      } catch (TimeoutException e) {
        throw new RegistryProblem(RegistryError.OPERATION_TIMEOUT, "Kafka did not say where " + topic + " ends within " + timeout.toMillis() + " ms");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RegistryProblem(RegistryError.OPERATION_TIMEOUT, "Interrupted while reading the Kafka store");
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RegistryProblem(RegistryError.OPERATION_TIMEOUT, "Interrupted while reading the Kafka store");
      }
    }
  }

  private void awaitApplied(long offset) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (progress) {
      while (appliedUpTo < offset) {
        if (readerFailure != null) {
          throw new RegistryProblem(RegistryError.STORE_ERROR, "The Kafka store reader failed: " + readerFailure.getMessage());
        }
        long waitNanos = deadline - System.nanoTime();
        if (waitNanos <= 0) {
          throw new RegistryProblem(RegistryError.OPERATION_TIMEOUT, "Timed out waiting for the Kafka store to reach offset " + offset);
        }
        try {
          progress.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(waitNanos)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new RegistryProblem(RegistryError.OPERATION_TIMEOUT, "Interrupted while waiting for the Kafka store");
        }
      }
    }
  }

  private long appliedUpTo() {
    synchronized (progress) {
      return appliedUpTo;
    }
  }

  private void readLoop() {
    try {
      while (!closing) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
          StoreRecord decoded = SchemasTopicCodec.decode(record.key(), record.value());
          if (decoded instanceof StoreRecord.Other other) {
            log.debug("Skipping {} record at offset {}", other.keyType(), record.offset());
            continue;
          }
          synchronized (state) {
            state.apply(decoded);
          }
        }
        long position = consumer.position(partition);
        synchronized (progress) {
          appliedUpTo = position;
          progress.notifyAll();
        }
      }
    } catch (WakeupException e) {
      if (!closing) {
        readerFailure = new IllegalStateException("reader woken unexpectedly", e);
      }
    } catch (RuntimeException e) {
      log.error("Schema store reader stopped", e);
      readerFailure = e;
    } finally {
      synchronized (progress) {
        progress.notifyAll();
      }
    }
  }

  @Override
  public void close() {
    closing = true;
    consumer.wakeup();
    try {
      reader.join(timeout.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    consumer.close();
    producer.close(Duration.ofSeconds(5));
    admin.close(Duration.ofSeconds(5));
  }
}
