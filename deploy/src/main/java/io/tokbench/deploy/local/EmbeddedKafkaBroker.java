package io.tokbench.deploy.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A real single-node Kafka (KRaft, broker and controller in one process) running in this JVM, with
 * its log in a directory of the user's choosing so topics survive a restart. Started through
 * {@link KafkaRaftServer} rather than {@code kafka.Kafka.main}, which exits the JVM on shutdown.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {
  private static final String CONTROLLER_LISTENER = "CONTROLLER";
  private static final int NODE_ID = 1;

  private final KafkaRaftServer server;
  private final String bootstrapServers;

  private EmbeddedKafkaBroker(KafkaRaftServer server, String bootstrapServers) {
    this.server = server;
    this.bootstrapServers = bootstrapServers;
  }

  /**
   * Formats the data directory on first use, then starts the node.
   *
   * @param dataDir where the log lives; reused as is when already formatted
   * @param host interface to listen on and advertise, e.g. localhost
   * @param port client port (9092 by default)
   * @param controllerPort KRaft controller port, only used inside the node
   */
  public static EmbeddedKafkaBroker start(Path dataDir, String host, int port, int controllerPort) {
    return start(dataDir, host, port, controllerPort, null);
  }

  /**
   * A node whose client listener demands SASL (SCRAM-SHA-512 for users, PLAIN for the super user
   * "admin") and whose authorizer allows only what ACLs grant, as on a real cluster. Users and
   * ACLs are then made through the Admin API as "admin".
   *
   * @param adminPassword the super user's password; null for the open node of the local stack
   */
  public static EmbeddedKafkaBroker start(Path dataDir, String host, int port, int controllerPort, String adminPassword) {
    Path logDir = dataDir.resolve("kafka-logs").toAbsolutePath();
    Properties props = new Properties();
    props.put("process.roles", "broker,controller");
    props.put("node.id", String.valueOf(NODE_ID));
    props.put("controller.quorum.voters", NODE_ID + "@localhost:" + controllerPort);
    props.put("listeners", "PLAINTEXT://" + host + ":" + port + "," + CONTROLLER_LISTENER + "://localhost:" + controllerPort);
    props.put("advertised.listeners", "PLAINTEXT://" + host + ":" + port);
    props.put("controller.listener.names", CONTROLLER_LISTENER);
    props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
    props.put("inter.broker.listener.name", "PLAINTEXT");
    props.put("log.dirs", logDir.toString());
    // One broker: every internal topic must have replication factor 1, or consumer groups and
    // exactly-once transactions wait forever for replicas that do not exist.
    props.put("offsets.topic.replication.factor", "1");
    props.put("transaction.state.log.replication.factor", "1");
    props.put("transaction.state.log.min.isr", "1");
    props.put("share.coordinator.state.topic.replication.factor", "1");
    props.put("share.coordinator.state.topic.min.isr", "1");
    props.put("group.initial.rebalance.delay.ms", "0");
    props.put("auto.create.topics.enable", "false");
    if (adminPassword != null) {
      secure(props, adminPassword);
    }

    KafkaConfig config = KafkaConfig.fromProps(props);
    formatIfNew(logDir);
    KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
    server.startup();
    return new EmbeddedKafkaBroker(server, host + ":" + port);
  }

  /** The super user; every other principal gets only what its ACLs grant. */
  public static final String ADMIN_USER = "admin";

  private static void secure(Properties props, String adminPassword) {
    String listener = "SASL_PLAINTEXT";
    props.put("listeners", props.getProperty("listeners").replace("PLAINTEXT://", listener + "://"));
    props.put("advertised.listeners", props.getProperty("advertised.listeners").replace("PLAINTEXT://", listener + "://"));
    props.put("listener.security.protocol.map", listener + ":SASL_PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
    props.put("inter.broker.listener.name", listener);
    props.put("sasl.enabled.mechanisms", "SCRAM-SHA-512,PLAIN");
    props.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
    String prefix = "listener.name." + listener.toLowerCase(java.util.Locale.ROOT) + ".";
    props.put(prefix + "plain.sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + ADMIN_USER
        + "\" password=\"" + adminPassword + "\" user_" + ADMIN_USER + "=\"" + adminPassword + "\";");
    props.put(prefix + "scram-sha-512.sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required;");
    props.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
    // ANONYMOUS is the node talking to itself over the plaintext controller listener.
    props.put("super.users", "User:" + ADMIN_USER + ";User:ANONYMOUS");
    props.put("allow.everyone.if.no.acl.found", "false");
  }

  private static void formatIfNew(Path logDir) {
    if (Files.exists(logDir.resolve("meta.properties"))) {
      return;
    }
    try {
      Files.createDirectories(logDir);
      new Formatter()
          .setNodeId(NODE_ID)
          .setClusterId(Uuid.randomUuid().toString())
          .setDirectories(List.of(logDir.toString()))
          .setMetadataLogDirectory(logDir.toString())
          .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
          .setControllerListenerName(CONTROLLER_LISTENER)
          .setPrintStream(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()))
          .run();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create Kafka data directory " + logDir, e);
    } catch (Exception e) {
      throw new IllegalStateException("Cannot format Kafka data directory " + logDir + ": " + e.getMessage(), e);
    }
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  @Override
  public void close() {
    server.shutdown();
    server.awaitShutdown();
  }
}
