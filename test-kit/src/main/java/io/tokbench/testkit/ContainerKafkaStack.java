package io.tokbench.testkit;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The same stack from the official images: Apache Kafka in KRaft mode and Confluent's own schema
 * registry, so our serde and client are also checked against the registry they claim to speak to.
 * Runs only where a Docker engine answers (not on this project's CI machine).
 */
final class ContainerKafkaStack implements KafkaStack {
  static final DockerImageName KAFKA_IMAGE = DockerImageName.parse("apache/kafka:4.1.1");
  static final DockerImageName REGISTRY_IMAGE = DockerImageName.parse("confluentinc/cp-schema-registry:8.1.0");
  private static final int REGISTRY_PORT = 8081;

  private final Network network;
  private final KafkaContainer kafka;
  private final GenericContainer<?> registry;

  private ContainerKafkaStack(Network network, KafkaContainer kafka, GenericContainer<?> registry) {
    this.network = network;
    this.kafka = kafka;
    this.registry = registry;
  }

  static boolean dockerAvailable() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }

  @SuppressWarnings("resource") // closed by close()
  static ContainerKafkaStack start() {
    Network network = Network.newNetwork();
    KafkaContainer kafka = new KafkaContainer(KAFKA_IMAGE).withNetwork(network).withListener("kafka:19092");
    GenericContainer<?> registry =
        new GenericContainer<>(REGISTRY_IMAGE)
            .withNetwork(network)
            .withExposedPorts(REGISTRY_PORT)
            .withEnv("SCHEMA_REGISTRY_HOST_NAME", "schema-registry")
            .withEnv("SCHEMA_REGISTRY_LISTENERS", "http://0.0.0.0:" + REGISTRY_PORT)
            .withEnv("SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS", "PLAINTEXT://kafka:19092")
            .waitingFor(Wait.forHttp("/subjects").forStatusCode(200));
    kafka.start();
    try {
      registry.dependsOn(kafka).start();
    } catch (RuntimeException e) {
      kafka.stop();
      network.close();
      throw e;
    }
    return new ContainerKafkaStack(network, kafka, registry);
  }

  @Override
  public String bootstrapServers() {
    return kafka.getBootstrapServers();
  }

  @Override
  public String registryUrl() {
    return "http://" + registry.getHost() + ":" + registry.getMappedPort(REGISTRY_PORT);
  }

  @Override
  public int brokers() {
    return 1;
  }

  @Override
  public String description() {
    return "containers " + KAFKA_IMAGE + " + " + REGISTRY_IMAGE;
  }

  @Override
  public void close() {
    registry.stop();
    kafka.stop();
    network.close();
  }
}
