package io.tokbench.registry.server;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.tokbench.registry.CompatibilityLevel;
import io.tokbench.security.TlsContexts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A schema registry speaking the Confluent REST protocol, storing its schemas in a compacted Kafka
 * topic. Any number of instances may share one topic; each answers every request.
 */
public final class SchemaRegistryServer implements AutoCloseable {
  static {
    // The JDK server writes headers and body as separate small segments; without TCP_NODELAY,
    // Nagle's algorithm and the client's delayed ACK add ~40 ms to every answer. Read once, when
    // the first server in the JVM starts.
    System.setProperty("sun.net.httpserver.nodelay", "true");
  }

  private static final Logger log = LoggerFactory.getLogger(SchemaRegistryServer.class);

  /** Where and how to run. */
  public record Config(
      String bootstrapServers,
      String host,
      int port,
      String topic,
      CompatibilityLevel defaultCompatibility,
      Duration timeout,
      Map<String, Object> kafkaClientConfig,
      Optional<Tls> tls) {
    public static final String DEFAULT_TOPIC = "_schemas";

    /** Serve HTTPS with the key and certificate of this keystore. */
    public record Tls(Path keystore, String password, String type) {
      @Override
      public String toString() {
        return "Tls[keystore=" + keystore + ", type=" + type + "]";
      }
    }

    public static final int DEFAULT_PORT = 8081;

    public Config {
      kafkaClientConfig = Map.copyOf(kafkaClientConfig);
    }

    /** Defaults for the given broker: port 8081 on all interfaces, topic _schemas, BACKWARD. */
    public static Config forBroker(String bootstrapServers) {
      return new Config(bootstrapServers, "0.0.0.0", DEFAULT_PORT, DEFAULT_TOPIC, CompatibilityLevel.BACKWARD, Duration.ofSeconds(30), Map.of(), Optional.empty());
    }

    public Config withPort(int newPort) {
      return new Config(bootstrapServers, host, newPort, topic, defaultCompatibility, timeout, kafkaClientConfig, tls);
    }

    public Config withHost(String newHost) {
      return new Config(bootstrapServers, newHost, port, topic, defaultCompatibility, timeout, kafkaClientConfig, tls);
    }

    public Config withTopic(String newTopic) {
      return new Config(bootstrapServers, host, port, newTopic, defaultCompatibility, timeout, kafkaClientConfig, tls);
    }

    /** Kafka client settings of the store, e.g. SASL credentials. */
    public Config withKafkaClientConfig(Map<String, Object> newKafkaClientConfig) {
      return new Config(bootstrapServers, host, port, topic, defaultCompatibility, timeout, newKafkaClientConfig, tls);
    }

    public Config withTls(Tls newTls) {
      return new Config(bootstrapServers, host, port, topic, defaultCompatibility, timeout, kafkaClientConfig, Optional.of(newTls));
    }
  }

  private final SchemaStore store;
  private final HttpServer http;
  private final ExecutorService executor;

  private SchemaRegistryServer(SchemaStore store, HttpServer http, ExecutorService executor) {
    this.store = store;
    this.http = http;
    this.executor = executor;
  }

  /** Replays the schema topic, then starts serving; returns once requests are answered. */
  public static SchemaRegistryServer start(Config config) {
    Map<String, Object> kafka = new HashMap<>(config.kafkaClientConfig());
    kafka.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    SchemaStore store = new SchemaStore(kafka, config.topic(), config.defaultCompatibility(), config.timeout());
    try {
      store.start();
      HttpServer http = config.tls().isPresent() ? https(config) : HttpServer.create(new InetSocketAddress(config.host(), config.port()), 64);
      ExecutorService executor = Executors.newFixedThreadPool(8, runnable -> {
        Thread thread = new Thread(runnable, "schema-registry-http");
        thread.setDaemon(true);
        return thread;
      });
      http.setExecutor(executor);
      http.createContext("/", new RegistryHttpApi(new RegistryService(store)));
      http.start();
      SchemaRegistryServer server = new SchemaRegistryServer(store, http, executor);
      log.info("Schema registry listening on {} (store: topic {} on {})", server.url(), config.topic(), config.bootstrapServers());
      return server;
    } catch (IOException e) {
      store.close();
      throw new UncheckedIOException("Cannot listen on " + config.host() + ":" + config.port() + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
  }

  private static HttpServer https(Config config) throws IOException {
    Config.Tls tls = config.tls().orElseThrow();
    HttpsServer https = HttpsServer.create(new InetSocketAddress(config.host(), config.port()), 64);
    https.setHttpsConfigurator(new HttpsConfigurator(TlsContexts.presenting(tls.keystore(), tls.password(), tls.type())));
    return https;
  }

  /** The port actually bound (useful with port 0). */
  public int port() {
    return http.getAddress().getPort();
  }

  /** A URL clients on this machine can use. */
  public String url() {
    return (http instanceof HttpsServer ? "https" : "http") + "://localhost:" + port();
  }

  @Override
  public void close() {
    http.stop(0);
    executor.shutdown();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    store.close();
  }
}
