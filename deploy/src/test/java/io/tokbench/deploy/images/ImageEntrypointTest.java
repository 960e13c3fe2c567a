package io.tokbench.deploy.images;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.tokbench.deploy.local.EmbeddedKafkaBroker;
import io.tokbench.registry.server.SchemaRegistryServer;
import io.tokbench.testkit.FreePorts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The images cannot be built here (no registry, no daemon), so this runs what they would run: the
 * Jib entrypoint ({@code java <jvmFlags> -cp <classpath> <mainClass>}) with the image's environment
 * and the compose file's, read from the poms and from deploy/compose, against a local broker and
 * registry, and checks the process comes up healthy and ready, then stops cleanly on SIGTERM.
 */
class ImageEntrypointTest {
  private static final Path COMPOSE = ImageDefinition.ROOT.resolve("deploy/compose/docker-compose.yml");
  @TempDir Path dir;

  @Test
  void theAggregatorImageEntrypointWithTheComposeEnvironmentComesUpHealthyAndReady() throws Exception {
    ImageDefinition image = ImageDefinition.of("stream-aggregator");
    Map<String, String> compose = composeEnvironment("aggregator-1");
    assertThat(image.ports()).containsExactly(image.environment().get("TOKBENCH_HTTP_PORT"), image.environment().get("TOKBENCH_INTERNAL_PORT"));
    assertThat(compose.get("TOKBENCH_HTTP_PORT")).isEqualTo(image.environment().get("TOKBENCH_HTTP_PORT"));
    assertThat(compose.get("TOKBENCH_INTERNAL_PORT")).isEqualTo(image.environment().get("TOKBENCH_INTERNAL_PORT"));

    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir.resolve("kafka"), "localhost", FreePorts.next(), FreePorts.next());
        SchemaRegistryServer registry = SchemaRegistryServer.start(SchemaRegistryServer.Config.forBroker(broker.bootstrapServers()).withHost("localhost").withPort(FreePorts.next()))) {
      int port = FreePorts.next();
      int internalPort = FreePorts.next();
      Map<String, String> env = new HashMap<>(image.environment());
      env.putAll(compose);
      // What differs outside the container network: the services' addresses, the published
      // port, and the state volume's mount point.
      env.put("TOKBENCH_BOOTSTRAP_SERVERS", broker.bootstrapServers());
      env.put("TOKBENCH_SCHEMA_REGISTRY_URL", registry.url());
      env.put("TOKBENCH_ADVERTISED_HOST", "127.0.0.1");
      env.put("TOKBENCH_HTTP_PORT", String.valueOf(port));
      env.put("TOKBENCH_INTERNAL_PORT", String.valueOf(internalPort));
      env.put("TOKBENCH_STATE_DIR", dir.resolve("state").toString());

      Process process = start(image, List.of(), env);
      try {
        String base = "http://127.0.0.1:" + port;
        String internal = "http://127.0.0.1:" + internalPort;
        assertThat(awaitStatus(internal + "/health", 200, process)).isEqualTo(200);
        assertThat(awaitStatus(internal + "/ready", 200, process)).as("Kafka Streams RUNNING").isEqualTo(200);
        assertThat(get(base + "/").body()).contains("<html");
        get(base + "/api/v1/models"); // one query, so the latency histogram has a series
        // One poison record, so the rejections have a series too.
        try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]>(Map.of("bootstrap.servers", broker.bootstrapServers()),
            new org.apache.kafka.common.serialization.ByteArraySerializer(), new org.apache.kafka.common.serialization.ByteArraySerializer())) {
          producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>("tokbench.reports", "not avro".getBytes())).get();
        }
        // Kafka Streams' store metrics appear once the tasks' stores open (re-read every 10 s).
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        String metrics = get(internal + "/metrics").body();
        while (!dashboardMetrics().stream().allMatch(metrics::contains) && System.nanoTime() < deadline) {
          Thread.sleep(1000);
          metrics = get(internal + "/metrics").body();
        }
        String exported = metrics;
        assertThat(dashboardMetrics()).as("every metric the Grafana dashboard plots is exported").allSatisfy(name -> assertThat(exported).contains(name));
      } finally {
        process.destroy(); // SIGTERM, as docker stop and Kubernetes send
        assertThat(process.waitFor(45, TimeUnit.SECONDS)).as("stops within the compose stop_grace_period").isTrue();
      }
    }
  }

  @Test
  void theAgentImageEntrypointRunsTheAgent() throws Exception {
    ImageDefinition image = ImageDefinition.of("producer-agent");
    Map<String, String> env = new HashMap<>(image.environment());
    env.put("TOKBENCH_CONFIG_DIR", dir.resolve("agent").toString()); // the volume's mount point
    Process process = start(image, List.of("config"), env);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String out = new String(process.getInputStream().readAllBytes());
    assertThat(process.exitValue()).as(out).isZero();
    assertThat(out).contains("bootstrap.servers").contains(dir.resolve("agent").toString());
  }

  @Test
  void theImagesAreTaggedWithTheProjectVersionAndRunAsNonRoot() throws Exception {
    for (String module : List.of("stream-aggregator", "producer-agent")) {
      ImageDefinition image = ImageDefinition.of(module);
      assertThat(image.tag()).isEqualTo(ImageDefinition.projectVersion());
      assertThat(image.user()).isEqualTo("65532:65532");
      assertThat(image.jvmFlags()).anyMatch(flag -> flag.startsWith("-XX:MaxRAMPercentage="));
    }
    assertThat(ImageDefinition.of("stream-aggregator").image()).isEqualTo("tokbench/stream-aggregator");
    assertThat(composeImage("aggregator-1")).isEqualTo("tokbench/stream-aggregator:" + ImageDefinition.projectVersion());
  }

  /** Jib's entrypoint: java, the image's JVM flags, the application's classpath, the main class. */
  private static Process start(ImageDefinition image, List<String> args, Map<String, String> env) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(image.jvmFlags());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(image.mainClass());
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().clear();
    builder.environment().putAll(env);
    Process process = builder.start();
    // Drain the output so the child never blocks on a full pipe (the agent test reads it itself).
    if (args.isEmpty()) {
      Thread drain = new Thread(() -> {
        try {
          process.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        } catch (IOException ignored) {
          // the process ended
        }
      });
      drain.setDaemon(true);
      drain.start();
    }
    return process;
  }

  /** A service's environment in the compose file, with ${VAR:-default} resolved to its default and unset values left out. */
  static Map<String, String> composeEnvironment(String service) throws IOException {
    JsonNode environment = compose().path("services").path(service).path("environment");
    Map<String, String> env = new HashMap<>();
    Pattern defaulted = Pattern.compile("\\$\\{[A-Z_]+:-([^}]*)}");
    for (Iterator<Map.Entry<String, JsonNode>> it = environment.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> variable = it.next();
      if (variable.getValue().isNull()) {
        continue;
      }
      Matcher m = defaulted.matcher(variable.getValue().asText());
      env.put(variable.getKey(), m.replaceAll("$1"));
    }
    return env;
  }

  private static String composeImage(String service) throws IOException {
    return compose().path("services").path(service).path("image").asText();
  }

  static JsonNode compose() throws IOException {
    return new ObjectMapper(new YAMLFactory()).readTree(COMPOSE.toFile());
  }

  /** Metric names the Grafana dashboard's queries use. */
  private static List<String> dashboardMetrics() throws IOException {
    String dashboard = Files.readString(ImageDefinition.ROOT.resolve("deploy/compose/grafana/dashboards/tokbench-aggregator.json"));
    Matcher m = Pattern.compile("\\b((?:tokbench|kafka_stream|kafka_consumer|jvm|process)_[a-z_]+?)(?:_bucket|_count|_sum)?\\b").matcher(dashboard);
    List<String> names = new ArrayList<>();
    while (m.find()) {
      names.add(m.group(1));
    }
    assertThat(names).as("the dashboard plots the aggregator's metrics").isNotEmpty();
    return names.stream().distinct().toList();
  }

  private static int awaitStatus(String url, int wanted, Process process) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    int status = -1;
    while (System.nanoTime() < deadline && process.isAlive()) {
      try {
        status = get(url).statusCode();
        if (status == wanted) {
          return status;
        }
      } catch (IOException notYetListening) {
        status = -1;
      }
      Thread.sleep(250);
    }
    return status;
  }

  private static HttpResponse<String> get(String url) throws IOException, InterruptedException {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
  }

}
