package io.tokbench.aggregator.app;

import io.tokbench.aggregator.aggregate.RowChanges;
import io.tokbench.aggregator.query.ApiServer;
import io.tokbench.aggregator.query.QueryService;
import io.tokbench.aggregator.query.Readiness;
import io.tokbench.aggregator.topology.AggregatorTopology;
import io.tokbench.aggregator.topology.TopicInitializer;
import io.tokbench.aggregator.topology.Topics;
import io.tokbench.registry.client.RegistryClientConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One aggregator instance: the Streams application and its query API. */
public final class Aggregator implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Aggregator.class);
  /** Off-heap memory of all RocksDB stores together, unless --rocksdb-memory says otherwise. */
  public static final long DEFAULT_ROCKSDB_MEMORY_BYTES = 256L << 20;

  private final KafkaStreams streams;
  private final ApiServer api;
  private final KafkaAdminOperations admin;
  private final AggregatorMetrics metrics;
  private final AggregatorConfig config;

  private Aggregator(KafkaStreams streams, ApiServer api, KafkaAdminOperations admin, AggregatorMetrics metrics, AggregatorConfig config) {
    this.streams = streams;
    this.api = api;
    this.admin = admin;
    this.metrics = metrics;
    this.config = config;
  }

  /** Creates the topics if needed, starts processing and the API; returns without waiting for RUNNING. */
  public static Aggregator start(AggregatorConfig config) {
    // The internal port is advertised (application.server) before the listener starts: pick it now.
    int internalPort = config.internalPort() == 0 ? freePort() : config.internalPort();
    Map<String, Object> adminClient = new HashMap<>(config.extraStreamsConfig());
    adminClient.put("bootstrap.servers", config.bootstrapServers());
    int partitions = TopicInitializer.ensure(adminClient, config.partitions(), config.replicationFactor());

    AggregatorMetrics metrics = new AggregatorMetrics();
    Map<String, Object> serde = new HashMap<>(config.extraStreamsConfig());
    serde.put(RegistryClientConfig.URL, config.schemaRegistryUrl());
    Properties properties = streamsProperties(config, internalPort);
    properties.put(RejectFailedRecordHandler.METRICS_CONFIG, metrics);
    RowChanges changes = new RowChanges();
    KafkaStreams streams = new KafkaStreams(AggregatorTopology.build(serde, AggregatorTopology.Settings.DEFAULT, metrics, changes), properties);
    ReplacementBackoff backoff = new ReplacementBackoff();
    streams.setUncaughtExceptionHandler(e -> {
      // A record's own failure never gets here (it is rejected as data); this is the registry or
      // the broker being away: after a pause, replace the thread, which resumes from the last commit.
      Duration wait = backoff.onFailure(System.nanoTime());
      log.error("Stream thread failed; replacing it in {} s", wait.toSeconds(), e);
      metrics.threadReplaced();
      sleep(wait);
      return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
    });
    metrics.bind(streams);
    HostInfo self = new HostInfo(config.advertisedHost(), internalPort);
    Map<String, Object> clients = new HashMap<>(serde);
    clients.putAll(adminClient);
    KafkaAdminOperations admin = new KafkaAdminOperations(clients);
    ApiServer api;
    try {
      api = ApiServer.start(new ApiServer.Ports(config.httpHost(), config.httpPort(), internalPort), new QueryService(streams, self, partitions, changes),
          new Readiness(streams, metrics::lastThreadReplacement, Clock.systemUTC()), metrics, config.protection(), admin);
    } catch (RuntimeException e) {
      admin.close();
      metrics.close();
      streams.close();
      throw e;
    }
    streams.start();
    log.info("Aggregator {} started; API on http://{}:{}/api/v1, internal listener on port {}", config.applicationId(), config.advertisedHost(), api.publicPort(), internalPort);
    return new Aggregator(streams, api, admin, metrics, config.withPorts(api.publicPort(), internalPort));
  }

  static Properties streamsProperties(AggregatorConfig config, int port) {
    Properties props = new Properties();
    props.putAll(config.extraStreamsConfig());
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    props.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().toString());
    props.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, config.standbyReplicas());
    props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) config.replicationFactor());
    // Its internal topics (the stores' changelogs) are written as safely as the topics it creates.
    props.put(StreamsConfig.topicPrefix(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG), Topics.minInSyncReplicas(config.replicationFactor()));
    props.put(StreamsConfig.APPLICATION_SERVER_CONFIG, config.advertisedHost() + ":" + port);
    props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, RegistryAwareDeserializationHandler.class);
    props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, RejectFailedRecordHandler.class);
    props.put(RegistryClientConfig.URL, config.schemaRegistryUrl());
    props.putIfAbsent(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Runtime.getRuntime().availableProcessors());
    props.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDbMemory.class);
    props.putIfAbsent(BoundedRocksDbMemory.TOTAL_BYTES_CONFIG, String.valueOf(DEFAULT_ROCKSDB_MEMORY_BYTES));
    props.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, SkipUnsendableRecordHandler.class);
    props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    // The calibration global store gets the same exception handling as the tasks (5.0 behaviour).
    props.put("processing.exception.handler.global.enabled", true);
    props.put(StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG), "lz4");
    return props;
  }

  /** This instance's counters: accepted, rejected by reason, duplicates, thread replacements. */
  public AggregatorMetrics metrics() {
    return metrics;
  }

  public KafkaStreams streams() {
    return streams;
  }

  public int httpPort() {
    return api.publicPort();
  }

  public int internalPort() {
    return api.internalPort();
  }

  /** The public listener: web page and /api/v1. */
  public String apiUrl() {
    return "http://" + config.advertisedHost() + ":" + api.publicPort();
  }

  /** The internal listener: /internal/v1, /admin/v1, /health, /ready, /metrics. */
  public String internalUrl() {
    return "http://" + config.advertisedHost() + ":" + api.internalPort();
  }

  /** Waits until the instance processes and answers; false if it did not within the timeout. */
  public boolean awaitRunning(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (streams.state() == KafkaStreams.State.RUNNING) {
        return true;
      }
      Thread.sleep(100);
    }
    return false;
  }

  @Override
  public void close() {
    api.close();
    admin.close();
    // Leave the group on a clean stop: the partitions move at once instead of after the session
    // timeout (45 s), which a restart on the same machine would otherwise wait out.
    streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP).withTimeout(Duration.ofSeconds(30)));
    metrics.close();
  }

  private static void sleep(Duration wait) {
    try {
      Thread.sleep(wait.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
