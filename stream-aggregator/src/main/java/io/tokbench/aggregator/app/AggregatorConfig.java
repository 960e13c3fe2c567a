package io.tokbench.aggregator.app;

import io.tokbench.aggregator.query.ApiProtection;
import io.tokbench.registry.client.RegistryClientConfig;
import java.nio.file.Path;
import java.util.Map;

/**
 * How one aggregator instance runs.
 *
 * @param httpPort the public listener: web page and {@code /api/v1} (0: any free port)
 * @param internalPort the internal listener: instance-to-instance queries, admin operations,
 *     health, readiness and metrics; never exposed to the public (0: any free port)
 * @param advertisedHost the host other instances reach this one at; with {@code internalPort} it
 *     becomes Kafka Streams' {@code application.server}
 * @param partitions partitions for topics the aggregator creates (bounds the parallelism)
 * @param replicationFactor replication of the topics it creates and of its internal topics
 */
public record AggregatorConfig(
    String bootstrapServers,
    String schemaRegistryUrl,
    String applicationId,
    String httpHost,
    int httpPort,
    int internalPort,
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

  /** An instance with the default API protection (no admin API, the default rate limit) and an internal listener on any free port. */
  public AggregatorConfig(String bootstrapServers, String schemaRegistryUrl, String applicationId, String httpHost, int httpPort, String advertisedHost,
                          Path stateDir, int standbyReplicas, int partitions, short replicationFactor, Map<String, Object> extraStreamsConfig) {
    this(bootstrapServers, schemaRegistryUrl, applicationId, httpHost, httpPort, 0, advertisedHost, stateDir, standbyReplicas, partitions, replicationFactor,
        extraStreamsConfig, ApiProtection.DEFAULT);
  }

  public AggregatorConfig withPorts(int publicPort, int internal) {
    return new AggregatorConfig(bootstrapServers, schemaRegistryUrl, applicationId, httpHost, publicPort, internal, advertisedHost, stateDir, standbyReplicas,
        partitions, replicationFactor, extraStreamsConfig, protection);
  }

  public AggregatorConfig withStandbyReplicas(int standbys) {
    return new AggregatorConfig(bootstrapServers, schemaRegistryUrl, applicationId, httpHost, httpPort, internalPort, advertisedHost, stateDir, standbys,
        partitions, replicationFactor, extraStreamsConfig, protection);
  }

  public AggregatorConfig withProtection(ApiProtection protection) {
    return new AggregatorConfig(bootstrapServers, schemaRegistryUrl, applicationId, httpHost, httpPort, internalPort, advertisedHost, stateDir, standbyReplicas,
        partitions, replicationFactor, extraStreamsConfig, protection);
  }

  /** Secrets in the client settings are masked. */
  @Override
  public String toString() {
    Map<String, Object> shown = new java.util.TreeMap<>(extraStreamsConfig);
    shown.replaceAll((k, v) -> k.contains("password") || k.contains("jaas") || k.contains("user.info") || k.contains("token") ? "****" : v);
    return "AggregatorConfig[bootstrapServers=" + bootstrapServers + ", schemaRegistryUrl=" + RegistryClientConfig.redacted(schemaRegistryUrl) + ", applicationId=" + applicationId
        + ", http=" + httpHost + ":" + httpPort + ", internalPort=" + internalPort + ", advertisedHost=" + advertisedHost + ", stateDir=" + stateDir + ", standbyReplicas=" + standbyReplicas
        + ", partitions=" + partitions + ", replicationFactor=" + replicationFactor + ", extraStreamsConfig=" + shown + ", protection=" + protection + "]";
  }
}
