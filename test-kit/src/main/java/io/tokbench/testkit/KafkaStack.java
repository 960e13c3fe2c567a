package io.tokbench.testkit;

import java.util.Map;

/** A running Kafka cluster plus a Confluent-protocol schema registry, as a test sees it. */
public interface KafkaStack extends AutoCloseable {

  /** {@code bootstrap.servers} for clients on this machine. */
  String bootstrapServers();

  /** Base URL of the schema registry. */
  String registryUrl();

  /** Number of brokers in the cluster. */
  int brokers();

  /** Which implementation runs the stack, for logs and failure messages. */
  String description();

  /** {@code bootstrap.servers} and {@code schema.registry.url}: the base of any client config. */
  default Map<String, Object> clientConfig() {
    return Map.of("bootstrap.servers", bootstrapServers(), "schema.registry.url", registryUrl());
  }

  @Override
  void close();
}
