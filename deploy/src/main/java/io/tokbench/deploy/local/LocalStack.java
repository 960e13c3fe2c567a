package io.tokbench.deploy.local;

import io.tokbench.aggregator.app.Aggregator;
import io.tokbench.aggregator.app.AggregatorConfig;
import io.tokbench.registry.server.SchemaRegistryServer;
import java.nio.file.Path;
import java.util.Map;

/**
 * Everything tokbench needs on one machine: a Kafka broker, a schema registry and an aggregator
 * with its API, each real, in one JVM. Clients reach them at the same addresses a cluster
 * deployment would give them.
 */
public final class LocalStack implements AutoCloseable {
  /**
   * Where and on which ports to run.
   *
   * @param apiPort the aggregator's public listener (web page, /api/v1)
   * @param internalPort the aggregator's internal listener (/metrics, /health, /ready, /admin/v1); 0: any free port
   */
  public record Config(Path dataDir, String host, int kafkaPort, int controllerPort, int registryPort, int apiPort, int internalPort) {
    public static final int DEFAULT_KAFKA_PORT = 9092;
    public static final int DEFAULT_REGISTRY_PORT = 8081;
    public static final int DEFAULT_API_PORT = 8080;
    public static final int DEFAULT_INTERNAL_PORT = 8090;

    /** The internal listener on any free port. */
    public Config(Path dataDir, String host, int kafkaPort, int controllerPort, int registryPort, int apiPort) {
      this(dataDir, host, kafkaPort, controllerPort, registryPort, apiPort, 0);
    }

    public static Config defaults(Path dataDir) {
      return new Config(dataDir, "localhost", DEFAULT_KAFKA_PORT, DEFAULT_KAFKA_PORT + 1, DEFAULT_REGISTRY_PORT, DEFAULT_API_PORT, DEFAULT_INTERNAL_PORT);
    }
  }

  private final EmbeddedKafkaBroker broker;
  private final SchemaRegistryServer registry;
  private final Aggregator aggregator;

  private LocalStack(EmbeddedKafkaBroker broker, SchemaRegistryServer registry, Aggregator aggregator) {
    this.broker = broker;
    this.registry = registry;
    this.aggregator = aggregator;
  }

  public static LocalStack start(Config config) {
    EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(config.dataDir(), config.host(), config.kafkaPort(), config.controllerPort());
    SchemaRegistryServer registry = null;
    try {
      registry = SchemaRegistryServer.start(SchemaRegistryServer.Config.forBroker(broker.bootstrapServers()).withHost(config.host()).withPort(config.registryPort()));
      Aggregator aggregator = Aggregator.start(new AggregatorConfig(
          broker.bootstrapServers(), registry.url(), AggregatorConfig.DEFAULT_APPLICATION_ID, config.host(), config.apiPort(), config.host(),
          config.dataDir().resolve("aggregator-state"), 0, 3, (short) 1, Map.of()).withPorts(config.apiPort(), config.internalPort()));
      return new LocalStack(broker, registry, aggregator);
    } catch (RuntimeException e) {
      if (registry != null) {
        registry.close();
      }
      broker.close();
      throw e;
    }
  }

  public String bootstrapServers() {
    return broker.bootstrapServers();
  }

  public String registryUrl() {
    return registry.url();
  }

  public String apiUrl() {
    return aggregator.apiUrl();
  }

  /** The aggregator's internal listener: /metrics, /health, /ready, /admin/v1. */
  public String internalUrl() {
    return aggregator.internalUrl();
  }

  public Aggregator aggregator() {
    return aggregator;
  }

  /** Stops the clients of the broker first (aggregator, registry), then the broker. */
  @Override
  public void close() {
    try {
      aggregator.close();
      registry.close();
    } finally {
      broker.close();
    }
  }
}
