package io.tokbench.deploy.local;

import io.tokbench.registry.server.SchemaRegistryServer;
import java.nio.file.Path;

/**
 * Everything tokbench needs on one machine: a Kafka broker and a schema registry, each real, in
 * one JVM. Clients reach them at the same addresses a cluster deployment would give them.
 */
public final class LocalStack implements AutoCloseable {
  /** Where and on which ports to run. */
  public record Config(Path dataDir, String host, int kafkaPort, int controllerPort, int registryPort) {
    public static final int DEFAULT_KAFKA_PORT = 9092;
    public static final int DEFAULT_REGISTRY_PORT = 8081;

    public static Config defaults(Path dataDir) {
      return new Config(dataDir, "localhost", DEFAULT_KAFKA_PORT, DEFAULT_KAFKA_PORT + 1, DEFAULT_REGISTRY_PORT);
    }
  }

  private final EmbeddedKafkaBroker broker;
  private final SchemaRegistryServer registry;

  private LocalStack(EmbeddedKafkaBroker broker, SchemaRegistryServer registry) {
    this.broker = broker;
    this.registry = registry;
  }

  public static LocalStack start(Config config) {
    EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(config.dataDir(), config.host(), config.kafkaPort(), config.controllerPort());
    try {
      SchemaRegistryServer registry =
          SchemaRegistryServer.start(SchemaRegistryServer.Config.forBroker(broker.bootstrapServers()).withHost(config.host()).withPort(config.registryPort()));
      return new LocalStack(broker, registry);
    } catch (RuntimeException e) {
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

  /** Stops the registry first (it writes to the broker), then the broker. */
  @Override
  public void close() {
    try {
      registry.close();
    } finally {
      broker.close();
    }
  }
}
