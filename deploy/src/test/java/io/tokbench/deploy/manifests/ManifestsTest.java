package io.tokbench.deploy.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.tokbench.aggregator.app.AggregatorCommand;
import io.tokbench.aggregator.app.AggregatorConfig;
import io.tokbench.aggregator.topology.Topics;
import io.tokbench.deploy.security.AclModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.common.acl.AclBinding;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/**
 * The deployment files agree with the code, which is the single source of truth: every topic with
 * its configuration (Topics.all), every TOKBENCH_* variable (the aggregator's options), every ACL
 * and quota (AclModel), the images and ports; and every file parses. Where kubectl exists, each
 * kustomize overlay renders.
 */
class ManifestsTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Path COMPOSE = ROOT.resolve("deploy/compose/docker-compose.yml");
  private static final Path K8S = ROOT.resolve("deploy/k8s");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final int PARTITIONS = 6;

  /** The environment variables the aggregator reads, from its options' defaults. */
  private static Set<String> aggregatorVariables() {
    Set<String> names = new HashSet<>();
    Pattern env = Pattern.compile("\\$\\{env:([A-Z0-9_]+)");
    // Uninterpolated: the defaults as written, "${env:NAME:-fallback}".
    for (CommandLine.Model.OptionSpec option : new CommandLine(new AggregatorCommand()).setInterpolateVariables(false).getCommandSpec().options()) {
      if (option.defaultValue() != null) {
        Matcher m = env.matcher(option.defaultValue());
        while (m.find()) {
          names.add(m.group(1));
        }
      }
    }
    return names;
  }

  private static Map<String, Map<String, String>> expectedTopics() {
    Map<String, Map<String, String>> topics = new TreeMap<>();
    Topics.all(PARTITIONS).forEach(spec -> topics.put(spec.name(), new TreeMap<>(spec.configs())));
    return topics;
  }

  // ---- docker compose ----

  @Test
  void composeCreatesEveryTopicWithItsConfiguration() throws IOException {
    String script = YAML.readTree(COMPOSE.toFile()).path("services").path("topics").path("command").get(0).asText();
    Map<String, Map<String, String>> created = new TreeMap<>();
    Matcher create = Pattern.compile("--topic (\\S+) --partitions (\\d+)([^\\n]*)").matcher(script);
    while (create.find()) {
      assertThat(Integer.parseInt(create.group(2))).as(create.group(1)).isEqualTo(PARTITIONS);
      Map<String, String> configs = new TreeMap<>();
      Matcher config = Pattern.compile("--config (\\S+?)=(\\S+)").matcher(create.group(3));
      while (config.find()) {
        configs.put(config.group(1), config.group(2));
      }
      created.put(create.group(1), configs);
    }
    assertThat(created).isEqualTo(expectedTopics());
  }

  @Test
  void composeRunsTwoInstancesOfOneApplicationWithDistinctAddressesAndOnlyKnownSettings() throws IOException {
    JsonNode services = YAML.readTree(COMPOSE.toFile()).path("services");
    Set<String> known = aggregatorVariables();
    List<String> advertised = new ArrayList<>();
    for (String name : List.of("aggregator-1", "aggregator-2")) {
      JsonNode env = services.path(name).path("environment");
      env.fieldNames().forEachRemaining(variable -> assertThat(known).as("%s sets %s", name, variable).contains(variable));
      assertThat(env.path("TOKBENCH_APPLICATION_ID").asText()).isEqualTo(AggregatorConfig.DEFAULT_APPLICATION_ID);
      assertThat(services.path(name).path("ports").get(0).asText()).endsWith(":" + env.path("TOKBENCH_HTTP_PORT").asText());
      advertised.add(env.path("TOKBENCH_ADVERTISED_HOST").asText());
    }
    assertThat(advertised).doesNotHaveDuplicates().containsExactly("aggregator-1", "aggregator-2");
  }

  @Test
  void composeRunsTheKafkaVersionTheCodeIsBuiltAgainst() throws Exception {
    String kafkaVersion = io.tokbench.deploy.images.PomProperties.get("kafka.version");
    JsonNode services = YAML.readTree(COMPOSE.toFile()).path("services");
    for (Iterator<Map.Entry<String, JsonNode>> it = services.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> service = it.next();
      String image = service.getValue().path("image").asText();
      if (image.startsWith("apache/kafka:")) {
        assertThat(image).as(service.getKey()).isEqualTo("apache/kafka:" + kafkaVersion);
      }
    }
  }

  @Test
  void prometheusScrapesBothAggregatorsAndGrafanaFilesParse() throws IOException {
    String prometheus = Files.readString(ROOT.resolve("deploy/compose/prometheus.yml"));
    YAML.readTree(prometheus);
    assertThat(prometheus).contains("aggregator-1:8090", "aggregator-2:8090", "/metrics");
    JsonNode services = YAML.readTree(COMPOSE.toFile()).path("services");
    assertThat(services.path("aggregator-1").path("environment").path("TOKBENCH_INTERNAL_PORT").asText()).isEqualTo("8090");
    new ObjectMapper().readTree(ROOT.resolve("deploy/compose/grafana/dashboards/tokbench-aggregator.json").toFile());
    for (Path provisioning : List.of(Path.of("datasources/prometheus.yml"), Path.of("dashboards/tokbench.yml"))) {
      YAML.readTree(ROOT.resolve("deploy/compose/grafana/provisioning").resolve(provisioning).toFile());
    }
  }

  // ---- Kubernetes ----

  private static List<JsonNode> documents(Path file) throws IOException {
    List<JsonNode> docs = new ArrayList<>();
    try (var parser = YAML.getFactory().createParser(file.toFile())) {
      YAML.readValues(parser, JsonNode.class).forEachRemaining(doc -> {
        if (doc != null && !doc.isNull()) {
          docs.add(doc);
        }
      });
    }
    return docs;
  }

  private static List<JsonNode> base(String kind) throws IOException {
    List<JsonNode> found = new ArrayList<>();
    try (Stream<Path> files = Files.list(K8S.resolve("base"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        documents(file).stream().filter(d -> d.path("kind").asText().equals(kind)).forEach(found::add);
      }
    }
    return found;
  }

  @Test
  void everyKubernetesFileParsesAndEveryKustomizationNamesFilesThatExist() throws IOException {
    try (Stream<Path> files = Files.walk(K8S)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
        assertThat(documents(file)).as(file.toString()).isNotEmpty();
        if (file.getFileName().toString().equals("kustomization.yaml")) {
          JsonNode kustomization = documents(file).get(0);
          for (String field : List.of("resources", "patches")) {
            for (JsonNode entry : kustomization.path(field)) {
              String path = entry.isTextual() ? entry.asText() : entry.path("path").asText(null);
              if (path != null) {
                assertThat(file.getParent().resolve(path)).as("%s lists %s", file, path).exists();
              }
            }
          }
        }
      }
    }
  }

  @Test
  void kafkaTopicsAreExactlyTheCodesTopicsWithTheirConfiguration() throws IOException {
    Map<String, Map<String, String>> declared = new TreeMap<>();
    for (JsonNode topic : base("KafkaTopic")) {
      Map<String, String> configs = new TreeMap<>();
      topic.path("spec").path("config").fields().forEachRemaining(c -> configs.put(c.getKey(), c.getValue().asText()));
      declared.put(topic.path("spec").path("topicName").asText(), configs);
      assertThat(topic.path("spec").path("partitions").asInt()).isEqualTo(PARTITIONS);
    }
    assertThat(declared).isEqualTo(expectedTopics());
  }

  @Test
  void kafkaUsersGrantExactlyTheAclModelAndTheContributorQuota() throws IOException {
    Map<String, JsonNode> users = base("KafkaUser").stream().collect(Collectors.toMap(u -> u.path("metadata").path("name").asText(), u -> u));
    assertThat(grants(users.get("tokbench-contributor"))).isEqualTo(grants(AclModel.contributor("tokbench-contributor")));
    assertThat(grants(users.get("tokbench-aggregator"))).isEqualTo(grants(AclModel.aggregator("tokbench-aggregator", AggregatorConfig.DEFAULT_APPLICATION_ID)));
    assertThat(grants(users.get("tokbench-operator"))).isEqualTo(grants(AclModel.operator("tokbench-operator")));
    assertThat(grants(users.get("schema-registry"))).isEqualTo(grants(AclModel.schemaRegistry("schema-registry")));
    JsonNode quotas = users.get("tokbench-contributor").path("spec").path("quotas");
    assertThat(quotas.path("producerByteRate").asDouble()).isEqualTo(AclModel.CONTRIBUTOR_QUOTA.get("producer_byte_rate"));
    assertThat(quotas.path("requestPercentage").asDouble()).isEqualTo(AclModel.CONTRIBUTOR_QUOTA.get("request_percentage"));
    users.values().forEach(u -> assertThat(u.path("spec").path("authentication").path("type").asText()).isEqualTo("scram-sha-512"));
  }

  /** "topic tokbench.reports literal Write" for each ACL of a Strimzi KafkaUser. */
  private static Set<String> grants(JsonNode user) {
    Set<String> grants = new HashSet<>();
    for (JsonNode acl : user.path("spec").path("authorization").path("acls")) {
      JsonNode resource = acl.path("resource");
      for (JsonNode operation : acl.path("operations")) {
        grants.add(String.join(" ", resource.path("type").asText().toLowerCase(), resource.path("name").asText("kafka-cluster"),
            resource.path("patternType").asText("literal").toLowerCase(), operation.asText().toLowerCase()));
      }
    }
    return grants;
  }

  private static Set<String> grants(List<AclBinding> bindings) {
    Map<String, String> strimziType = Map.of("TOPIC", "topic", "GROUP", "group", "TRANSACTIONAL_ID", "transactionalid", "CLUSTER", "cluster");
    return bindings.stream().map(b -> String.join(" ", strimziType.get(b.pattern().resourceType().name()), b.pattern().name(),
        // Strimzi spells Kafka's PREFIXED pattern "prefix".
        b.pattern().patternType().name().toLowerCase().replace("prefixed", "prefix"), b.entry().operation().name().replace("_", "").toLowerCase()))
        .collect(Collectors.toSet());
  }

  @Test
  void theAggregatorStatefulSetUsesTheImageTheProbesAndOnlyKnownSettings() throws Exception {
    JsonNode statefulSet = base("StatefulSet").stream().filter(s -> s.path("metadata").path("name").asText().equals("tokbench-aggregator")).findFirst().orElseThrow();
    JsonNode pod = statefulSet.path("spec").path("template").path("spec");
    JsonNode container = pod.path("containers").get(0);
    assertThat(container.path("image").asText()).isEqualTo("tokbench/stream-aggregator:" + io.tokbench.deploy.images.PomProperties.projectVersion());
    Map<String, String> env = new HashMap<>();
    for (JsonNode variable : container.path("env")) {
      env.put(variable.path("name").asText(), variable.path("value").asText(null));
    }
    Set<String> known = new HashSet<>(aggregatorVariables());
    known.addAll(Set.of("POD_NAME", "POD_NAMESPACE")); // the downward API, for the advertised host
    assertThat(known).containsAll(env.keySet());
    String port = env.get("TOKBENCH_HTTP_PORT");
    String internal = env.get("TOKBENCH_INTERNAL_PORT");
    // Probes and scrapes on the internal listener, where /ready and /health live.
    assertThat(container.path("readinessProbe").path("httpGet").path("path").asText()).isEqualTo("/ready");
    assertThat(container.path("readinessProbe").path("httpGet").path("port").asText()).isEqualTo(internal);
    assertThat(container.path("livenessProbe").path("httpGet").path("path").asText()).isEqualTo("/health");
    assertThat(container.path("livenessProbe").path("httpGet").path("port").asText()).isEqualTo(internal);
    assertThat(container.path("ports").get(0).path("containerPort").asText()).isEqualTo(port);
    assertThat(container.path("ports").get(1).path("containerPort").asText()).isEqualTo(internal);
    assertThat(statefulSet.path("spec").path("template").path("metadata").path("annotations").path("prometheus.io/port").asText()).isEqualTo(internal);
    assertThat(Integer.parseInt(env.get("TOKBENCH_STANDBY_REPLICAS"))).as("a warm standby of every store, so queries go on while partitions move").isGreaterThanOrEqualTo(1);
    assertThat(pod.path("securityContext").path("runAsUser").asText() + ":" + pod.path("securityContext").path("runAsGroup").asText("65532"))
        .isEqualTo(io.tokbench.deploy.images.PomProperties.imageUser());
    assertThat(env.get("TOKBENCH_APPLICATION_ID")).isEqualTo(AggregatorConfig.DEFAULT_APPLICATION_ID);
    assertThat(env.get("TOKBENCH_ADVERTISED_HOST")).contains("$(POD_NAME)").contains(statefulSet.path("spec").path("serviceName").asText());
  }

  @Test
  void thePublicIngressAndServiceReachOnlyThePublicListener() throws IOException {
    JsonNode ingress = base("Ingress").get(0);
    List<String> paths = new ArrayList<>();
    for (JsonNode rule : ingress.path("spec").path("rules")) {
      for (JsonNode path : rule.path("http").path("paths")) {
        paths.add(path.path("path").asText());
        assertThat(path.path("backend").path("service").path("port").path("number").asInt()).isEqualTo(8080);
      }
    }
    assertThat(paths).isNotEmpty().noneMatch(p -> p.startsWith("/admin") || p.startsWith("/internal") || p.equals("/metrics") || p.equals("/ready") || p.equals("/health"));
    JsonNode publicService = base("Service").stream().filter(s -> s.path("metadata").path("name").asText().equals("tokbench-api")).findFirst().orElseThrow();
    assertThat(publicService.path("spec").path("ports")).singleElement().satisfies(port -> assertThat(port.path("port").asInt()).isEqualTo(8080));
    JsonNode headless = base("Service").stream().filter(s -> s.path("metadata").path("name").asText().equals("tokbench-aggregator-headless")).findFirst().orElseThrow();
    assertThat(headless.path("spec").path("ports")).singleElement().satisfies(port -> assertThat(port.path("port").asInt()).isEqualTo(8090));
  }

  @ParameterizedTest
  @ValueSource(strings = {"small", "large"})
  void eachOverlayRendersWithKubectlAndKeepsTheTopicsConfiguration(String overlay) throws Exception {
    Assumptions.assumeTrue(kubectl(), "kubectl is not installed: the kustomize overlays are checked where it is");
    Process render = new ProcessBuilder("kubectl", "kustomize", K8S.resolve("overlays").resolve(overlay).toString()).redirectErrorStream(true).start();
    String rendered = new String(render.getInputStream().readAllBytes());
    assertThat(render.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(render.exitValue()).as(rendered).isZero();
    Map<String, Map<String, String>> topics = new TreeMap<>();
    try (var parser = YAML.getFactory().createParser(rendered)) {
      YAML.readValues(parser, JsonNode.class).forEachRemaining(doc -> {
        if (doc != null && doc.path("kind").asText().equals("KafkaTopic")) {
          Map<String, String> configs = new TreeMap<>();
          doc.path("spec").path("config").fields().forEachRemaining(c -> configs.put(c.getKey(), c.getValue().asText()));
          topics.put(doc.path("spec").path("topicName").asText(), configs);
        }
      });
    }
    assertThat(topics).isEqualTo(expectedTopics());
  }

  private static boolean kubectl() {
    try {
      return new ProcessBuilder("kubectl", "version", "--client").redirectErrorStream(true).start().waitFor() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }
}
