package io.tokbench.aggregator.app;

import io.tokbench.aggregator.query.ApiProtection;
import io.tokbench.security.ClientSecurity;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/** {@code stream-aggregator}: runs one aggregator instance until stopped. */
@Command(
    name = "stream-aggregator",
    mixinStandardHelpOptions = true,
    version = "tokbench stream-aggregator 0.1.0",
    subcommands = {RecalibrateCommand.class, EvaluateCommand.class},
    description = {
      "Runs one tokbench aggregator instance: validates, de-duplicates and aggregates the reports on",
      "tokbench.reports into median tok/s tables (tokbench.stats, tokbench.community) and serves them",
      "at /api/v1. Start more instances with the same --application-id to share the partitions; each",
      "needs its own --internal-port/--advertised-host so the others can forward queries to it.",
      "Every option can also come from the environment variable named in brackets.",
      "Subcommands talk to a running aggregator: 'recalibrate' exports the estimator's calibration as",
      "JSON, 'evaluate' measures the estimator's accuracy by leave-one-GPU-out cross-validation."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:stopped (SIGTERM or Ctrl-C)", "1:failed to start", "2:bad option", "130:a second signal cut the stop short"})
public final class AggregatorCommand implements Callable<Integer> {
  @Option(names = "--bootstrap-servers", defaultValue = "${env:TOKBENCH_BOOTSTRAP_SERVERS:-localhost:9092}", description = "Kafka [TOKBENCH_BOOTSTRAP_SERVERS] (default: ${DEFAULT-VALUE}).")
  String bootstrapServers;

  @Option(names = "--schema-registry-url", defaultValue = "${env:TOKBENCH_SCHEMA_REGISTRY_URL:-http://localhost:8081}", description = "Schema registry [TOKBENCH_SCHEMA_REGISTRY_URL] (default: http://localhost:8081; credentials in the URL are accepted but --schema-registry-user-info is better).")
  String schemaRegistryUrl;

  @Option(names = "--application-id", defaultValue = "${env:TOKBENCH_APPLICATION_ID:-tokbench-aggregator}", description = "Kafka Streams application id [TOKBENCH_APPLICATION_ID] (default: ${DEFAULT-VALUE}).")
  String applicationId;

  @Option(names = "--http-port", defaultValue = "${env:TOKBENCH_HTTP_PORT:-8080}", description = "API port [TOKBENCH_HTTP_PORT] (default: ${DEFAULT-VALUE}).")
  int httpPort;

  @Option(names = "--internal-port", defaultValue = "${env:TOKBENCH_INTERNAL_PORT:-8090}", description = "Internal listener: instance-to-instance queries, /admin/v1, /health, /ready, /metrics; never expose it publicly [TOKBENCH_INTERNAL_PORT] (default: ${DEFAULT-VALUE}).")
  int internalPort;

  @Option(names = "--http-host", defaultValue = "${env:TOKBENCH_HTTP_HOST:-0.0.0.0}", description = "Interface the API listens on [TOKBENCH_HTTP_HOST] (default: ${DEFAULT-VALUE}).")
  String httpHost;

  @Option(names = "--advertised-host", defaultValue = "${env:TOKBENCH_ADVERTISED_HOST:-localhost}", description = "Host other instances reach this one's internal port at [TOKBENCH_ADVERTISED_HOST] (default: ${DEFAULT-VALUE}).")
  String advertisedHost;

  @Option(names = "--state-dir", defaultValue = "${env:TOKBENCH_STATE_DIR:-${sys:java.io.tmpdir}/tokbench-aggregator}", description = "Local state [TOKBENCH_STATE_DIR] (default: ${DEFAULT-VALUE}).")
  Path stateDir;

  @Option(names = "--standby-replicas", defaultValue = "${env:TOKBENCH_STANDBY_REPLICAS:-0}", description = "Warm copies of each store on other instances [TOKBENCH_STANDBY_REPLICAS] (default: ${DEFAULT-VALUE}).")
  int standbyReplicas;

  @Option(names = "--instance-id", defaultValue = "${env:TOKBENCH_INSTANCE_ID}", description = {
      "A name of this instance that stays the same across its restarts, unique within the application",
      "(a StatefulSet's pod name) [TOKBENCH_INSTANCE_ID]. An instance that comes back under its name within",
      "the session timeout (45 s) takes its partitions back without a rebalance of the others; without",
      "it, a crashed instance's partitions wait the session timeout before they move."})
  String instanceId;

  @Option(names = "--partitions", defaultValue = "${env:TOKBENCH_PARTITIONS:-6}", description = "Partitions of topics it creates; the most instances that can share the work [TOKBENCH_PARTITIONS] (default: ${DEFAULT-VALUE}).")
  int partitions;

  @Option(names = "--replication-factor", defaultValue = "${env:TOKBENCH_REPLICATION_FACTOR:-1}", description = "Replication of topics it creates [TOKBENCH_REPLICATION_FACTOR] (default: ${DEFAULT-VALUE}; use 3 on a cluster).")
  short replicationFactor;

  @Option(names = "--security-protocol", defaultValue = "${env:TOKBENCH_SECURITY_PROTOCOL:-PLAINTEXT}", description = "Kafka security protocol: PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL [TOKBENCH_SECURITY_PROTOCOL] (default: ${DEFAULT-VALUE}).")
  String securityProtocol;

  @Option(names = "--sasl-mechanism", defaultValue = "${env:TOKBENCH_SASL_MECHANISM}", description = "SCRAM-SHA-512, SCRAM-SHA-256 or PLAIN [TOKBENCH_SASL_MECHANISM].")
  String saslMechanism;

  @Option(names = "--sasl-username", defaultValue = "${env:TOKBENCH_SASL_USERNAME}", description = "SASL user [TOKBENCH_SASL_USERNAME].")
  String saslUsername;

  // Secrets: no ${DEFAULT-VALUE} in their help, which would print the environment's value.
  @Option(names = "--sasl-password", defaultValue = "${env:TOKBENCH_SASL_PASSWORD}", description = "SASL password [TOKBENCH_SASL_PASSWORD]; prefer the environment variable.")
  String saslPassword;

  @Option(names = "--ssl-truststore-location", defaultValue = "${env:TOKBENCH_SSL_TRUSTSTORE_LOCATION}", description = "Truststore with the brokers' CA [TOKBENCH_SSL_TRUSTSTORE_LOCATION].")
  String truststoreLocation;

  @Option(names = "--ssl-truststore-password", defaultValue = "${env:TOKBENCH_SSL_TRUSTSTORE_PASSWORD}", description = "Its password [TOKBENCH_SSL_TRUSTSTORE_PASSWORD].")
  String truststorePassword;

  @Option(names = "--schema-registry-user-info", defaultValue = "${env:TOKBENCH_SCHEMA_REGISTRY_USER_INFO}", description = "user:password for the registry's basic auth [TOKBENCH_SCHEMA_REGISTRY_USER_INFO].")
  String registryUserInfo;

  @Option(names = "--schema-registry-bearer-token", defaultValue = "${env:TOKBENCH_SCHEMA_REGISTRY_BEARER_TOKEN}", description = "Bearer token for the registry [TOKBENCH_SCHEMA_REGISTRY_BEARER_TOKEN].")
  String registryBearerToken;

  @Option(names = "--schema-registry-truststore-location", defaultValue = "${env:TOKBENCH_SCHEMA_REGISTRY_TRUSTSTORE_LOCATION}", description = "CA of an https registry [TOKBENCH_SCHEMA_REGISTRY_TRUSTSTORE_LOCATION].")
  String registryTruststoreLocation;

  @Option(names = "--schema-registry-truststore-password", defaultValue = "${env:TOKBENCH_SCHEMA_REGISTRY_TRUSTSTORE_PASSWORD}", description = "Its password [TOKBENCH_SCHEMA_REGISTRY_TRUSTSTORE_PASSWORD].")
  String registryTruststorePassword;

  @Option(names = "--admin-token", defaultValue = "${env:TOKBENCH_ADMIN_TOKEN}", description = "Operator token for POST /admin/v1/* on the internal port [TOKBENCH_ADMIN_TOKEN]; without it the admin API is off.")
  String adminToken;

  @Option(names = "--rate-limit", defaultValue = "${env:TOKBENCH_RATE_LIMIT:-50}", description = "Public API requests per second per client address, bursts of twice that; 0 turns it off [TOKBENCH_RATE_LIMIT] (default: ${DEFAULT-VALUE}).")
  double rateLimit;

  @Option(names = "--stream-threads", defaultValue = "${env:TOKBENCH_STREAM_THREADS:-0}", description = "Stream threads processing partitions [TOKBENCH_STREAM_THREADS] (default: one per core; 0 means that).")
  int streamThreads;

  @Option(names = "--commit-interval", defaultValue = "${env:TOKBENCH_COMMIT_INTERVAL_MS:-100}", description = "Milliseconds between exactly-once commits: longer carries more reports per transaction, at the cost of latency [TOKBENCH_COMMIT_INTERVAL_MS] (default: ${DEFAULT-VALUE}).")
  int commitIntervalMs;

  /** As parsed: what a tool running beside the aggregator (the benchmark's Kafka Streams floor) must match. */
  public int commitIntervalMs() {
    return commitIntervalMs;
  }

  @Option(names = "--rocksdb-memory", defaultValue = "${env:TOKBENCH_ROCKSDB_MEMORY:-256m}", converter = ByteSize.class,
      description = "Off-heap memory for all state stores together: block cache and memtables, e.g. 256m, 1g [TOKBENCH_ROCKSDB_MEMORY] (default: ${DEFAULT-VALUE}).")
  long rocksDbMemory;

  AggregatorConfig config() {
    ClientSecurity security = new ClientSecurity(securityProtocol, saslMechanism, saslUsername, saslPassword, truststoreLocation, truststorePassword,
        registryUserInfo, registryBearerToken, registryTruststoreLocation, registryTruststorePassword);
    Map<String, Object> clientAndStreams = new HashMap<>(security.clientProperties());
    clientAndStreams.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, streamThreads > 0 ? streamThreads : Runtime.getRuntime().availableProcessors());
    clientAndStreams.put(BoundedRocksDbMemory.TOTAL_BYTES_CONFIG, String.valueOf(rocksDbMemory));
    clientAndStreams.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitIntervalMs);
    if (blankToNull(instanceId) != null) {
      // Static membership (KIP-345); Kafka Streams suffixes it per stream thread.
      clientAndStreams.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), instanceId.strip());
    }
    return new AggregatorConfig(bootstrapServers, schemaRegistryUrl, applicationId, httpHost, httpPort, internalPort, advertisedHost, stateDir,
        standbyReplicas, partitions, replicationFactor, clientAndStreams, new ApiProtection(blankToNull(adminToken), rateLimit));
  }

  /** "256m", "1g", "512k" or plain bytes. */
  static final class ByteSize implements CommandLine.ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
      String v = value.trim().toLowerCase(java.util.Locale.ROOT);
      long unit = switch (v.isEmpty() ? ' ' : v.charAt(v.length() - 1)) {
        case 'k' -> 1L << 10;
        case 'm' -> 1L << 20;
        case 'g' -> 1L << 30;
        default -> 1;
      };
      String digits = unit == 1 ? v : v.substring(0, v.length() - 1);
      try {
        long bytes = Long.parseLong(digits.trim()) * unit;
        if (bytes < (16L << 20)) {
          throw new CommandLine.TypeConversionException("'" + value + "' is below the 16m a store needs");
        }
        return bytes;
      } catch (NumberFormatException e) {
        throw new CommandLine.TypeConversionException("'" + value + "' is not a size such as 256m or 1g");
      }
    }
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }

  @Override
  public Integer call() throws InterruptedException {
    StopSignals signals = StopSignals.install();
    Aggregator aggregator;
    try {
      aggregator = Aggregator.start(config());
    } catch (RuntimeException e) {
      System.err.println("stream-aggregator: cannot start: " + e.getMessage());
      return 1;
    }
    AtomicBoolean stopping = new AtomicBoolean();
    Runnable stop = () -> {
      if (stopping.compareAndSet(false, true)) {
        aggregator.close();
      }
    };
    Runtime.getRuntime().addShutdownHook(new Thread(stop, "aggregator-shutdown"));
    System.out.println("tokbench aggregator " + applicationId + ": API at " + aggregator.apiUrl() + "/api/v1; health, metrics and admin at " + aggregator.internalUrl());
    // SIGTERM (an orchestrator stopping the pod) or Ctrl-C: leave the group, close the stores, exit 0.
    signals.await();
    stop.run();
    return 0;
  }

  public static void main(String[] args) {
    System.exit(ShortUsageErrors.commandLine(new AggregatorCommand()).execute(args));
  }
}
