package io.tokbench.aggregator.app;

import io.tokbench.aggregator.query.ApiProtection;
import io.tokbench.registry.client.RegistryClientConfig;
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
    Map<String, Object> extraStreamsConfig,
    ApiProtection protection) {

  public static final String DEFAULT_APPLICATION_ID = "tokbench-aggregator";

  public AggregatorConfig {
    extraStreamsConfig = Map.copyOf(extraStreamsConfig);
  }

  /** An instance with the default API protection: no admin API, the default rate limit. */
  public AggregatorConfig(String bootstrapServers, String schemaRegistryUrl, String applicationId, String httpHost, int httpPort, String advertisedHost,
                          Path stateDir, int standbyReplicas, int partitions, short replicationFactor, Map<String, Object> extraStreamsConfig) {
    this(bootstrapServers, schemaRegistryUrl, applicationId, httpHost, httpPort, advertisedHost, stateDir, standbyReplicas, partitions, replicationFactor,
        extraStreamsConfig, ApiProtection.DEFAULT);
  }

  public AggregatorConfig withHttpPort(int port) {
    return new AggregatorConfig(bootstrapServers, schemaRegistryUrl, applicationId, httpHost, port, advertisedHost, stateDir, standbyReplicas, partitions,
        replicationFactor, extraStreamsConfig, protection);
  }

  public AggregatorConfig withProtection(ApiProtection protection) {
    return new AggregatorConfig(bootstrapServers, schemaRegistryUrl, applicationId, httpHost, httpPort, advertisedHost, stateDir, standbyReplicas, partitions,
        replicationFactor, extraStreamsConfig, protection);
  }

  /** Secrets in the client settings are masked. */
  @Override
  public String toString() {
    Map<String, Object> shown = new java.util.TreeMap<>(extraStreamsConfig);
    shown.replaceAll((k, v) -> k.contains("password") || k.contains("jaas") || k.contains("user.info") || k.contains("token") ? "****" : v);
    return "AggregatorConfig[bootstrapServers=" + bootstrapServers + ", schemaRegistryUrl=" + RegistryClientConfig.redacted(schemaRegistryUrl) + ", applicationId=" + applicationId
        + ", http=" + httpHost + ":" + httpPort + ", advertisedHost=" + advertisedHost + ", stateDir=" + stateDir + ", standbyReplicas=" + standbyReplicas
        + ", partitions=" + partitions + ", replicationFactor=" + replicationFactor + ", extraStreamsConfig=" + shown + ", protection=" + protection + "]";
  }
}
