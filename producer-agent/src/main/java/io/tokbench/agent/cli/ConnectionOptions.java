package io.tokbench.agent.cli;

import io.tokbench.agent.config.AgentConfig;
import io.tokbench.agent.config.Environment;
import io.tokbench.agent.config.Setting;
import java.util.EnumMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** Where reports go; flags override environment variables, the config file and defaults. */
final class ConnectionOptions {
  @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT", description = "Kafka bootstrap servers (env TOKBENCH_BOOTSTRAP_SERVERS; default localhost:9092).")
  String bootstrapServers;

  @Option(names = "--schema-registry-url", paramLabel = "URL", description = "Schema registry URL (env TOKBENCH_SCHEMA_REGISTRY_URL; default http://localhost:8081).")
  String schemaRegistryUrl;

  @Option(names = "--topic", description = "Topic for reports (env TOKBENCH_TOPIC; default tokbench.reports).")
  String topic;

  AgentConfig resolve(Environment environment) {
    return resolve(environment, Map.of());
  }

  /** With settings other options of the command gave (the runtime's API key). */
  AgentConfig resolve(Environment environment, Map<Setting, String> otherFlags) {
    Map<Setting, String> flags = new EnumMap<>(Setting.class);
    flags.putAll(otherFlags);
    if (bootstrapServers != null) {
      flags.put(Setting.BOOTSTRAP_SERVERS, bootstrapServers);
    }
    if (schemaRegistryUrl != null) {
      flags.put(Setting.SCHEMA_REGISTRY_URL, schemaRegistryUrl);
    }
    if (topic != null) {
      flags.put(Setting.TOPIC, topic);
    }
    return AgentConfig.resolve(flags, environment);
  }
}
