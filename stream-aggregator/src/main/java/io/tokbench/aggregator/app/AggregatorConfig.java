package io.tokbench.aggregator.app;

import java.nio.file.Path;
import java.util.Map;

/**
 * How one aggregator instance runs.
 *
 * @param advertisedHost the host other instances and the API's clients reach this one at; with
 *     {@code httpPort} it becomes Kafka Streams' {@code application.server}
 * @param partitions partitions for topics the aggregator creates (bounds the parallelism)
 * @param replicationFactor replication of the topics it creates and of its internal topics
 */
public record AggregatorConfig(
    String bootstrapServers,
    String schemaRegistryUrl,
    String applicationId,
    String httpHost,
    int httpPort,
    String advertisedHost,
    Path stateDir,
    int standbyReplicas,
    int partitions,
    short replicationFactor,
    Map<String, Object> extraStreamsConfig) {

  public static final String DEFAULT_APPLICATION_ID = "tokbench-aggregator";

  public AggregatorConfig {
    extraStreamsConfig = Map.copyOf(extraStreamsConfig);
  }

  public AggregatorConfig withHttpPort(int port) {
    return new AggregatorConfig(bootstrapServers, schemaRegistryUrl, applicationId, httpHost, port, advertisedHost, stateDir, standbyReplicas, partitions, replicationFactor, extraStreamsConfig);
  }
}
