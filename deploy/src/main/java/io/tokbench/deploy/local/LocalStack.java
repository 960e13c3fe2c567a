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
  /** Where and on which ports to run. */
  public record Config(Path dataDir, String host, int kafkaPort, int controllerPort, int registryPort, int apiPort) {
    public static final int DEFAULT_KAFKA_PORT = 9092;
    public static final int DEFAULT_REGISTRY_PORT = 8081;
    public static final int DEFAULT_API_PORT = 8080;

    public static Config defaults(Path dataDir) {
      return new Config(dataDir, "localhost", DEFAULT_KAFKA_PORT, DEFAULT_KAFKA_PORT + 1, DEFAULT_REGISTRY_PORT, DEFAULT_API_PORT);
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
          config.dataDir().resolve("aggregator-state"), 0, 3, (short) 1, Map.of()));
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
