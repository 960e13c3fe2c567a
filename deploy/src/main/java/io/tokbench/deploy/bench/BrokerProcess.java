package io.tokbench.deploy.bench;

import io.tokbench.deploy.local.EmbeddedKafkaBroker;
import io.tokbench.registry.server.SchemaRegistryServer;
import java.nio.file.Path;

/**
 * The benchmark's broker and registry, in their own JVM so that the aggregator and the load do not
 * share theirs: {@code BrokerProcess DATA_DIR KAFKA_PORT CONTROLLER_PORT REGISTRY_PORT}. Prints one
 * line "READY bootstrap registry-url" when both answer, and stops when its standard input closes.
 */
public final class BrokerProcess {
  private BrokerProcess() {}

  public static void main(String[] args) throws Exception {
    EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(Path.of(args[0]), "127.0.0.1", Integer.parseInt(args[1]), Integer.parseInt(args[2]));
    SchemaRegistryServer registry =
        SchemaRegistryServer.start(SchemaRegistryServer.Config.forBroker(broker.bootstrapServers()).withHost("127.0.0.1").withPort(Integer.parseInt(args[3])));
    System.out.println("READY " + broker.bootstrapServers() + " " + registry.url());
    System.out.flush();
    while (System.in.read() >= 0) {
      // the parent holds our standard input open for as long as we are needed
    }
    registry.close();
    broker.close();
    System.exit(0);
  }
}
