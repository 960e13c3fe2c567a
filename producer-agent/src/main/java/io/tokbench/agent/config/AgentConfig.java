package io.tokbench.agent.config;

import io.tokbench.registry.client.RegistryClientConfig;
import io.tokbench.security.ClientSecurity;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * The agent's effective configuration and where each value came from. Precedence: command-line
 * flag, then environment variable, then the config file ({@code agent.properties} in the config
 * dir), then the default, which points at the local stack.
 */
public final class AgentConfig {
  public static final String FILE_NAME = "agent.properties";

  /** Where a value came from, for {@code tokbench-agent config}. */
  public enum Source {
    FLAG, ENV, FILE, DEFAULT
  }

  /** One resolved value. */
  public record Value(String value, Source source, String origin) {}

  private final Map<Setting, Value> values;
  private final Environment environment;
  private final Path configFile;

  private AgentConfig(Map<Setting, Value> values, Environment environment, Path configFile) {
    this.values = values;
    this.environment = environment;
    this.configFile = configFile;
  }

  /** Resolves every setting; {@code flags} holds the ones given on the command line. */
  public static AgentConfig resolve(Map<Setting, String> flags, Environment environment) {
    Path configFile = environment.configDir().resolve(FILE_NAME);
    Properties file = readFile(configFile);
    Map<Setting, Value> values = new EnumMap<>(Setting.class);
    for (Setting setting : Setting.values()) {
      String flag = flags.get(setting);
      Optional<String> env = environment.get(setting.environmentVariable());
      String fromFile = file.getProperty(setting.key());
      if (flag != null) {
        values.put(setting, new Value(flag, Source.FLAG, setting.flag()));
      } else if (env.isPresent()) {
        values.put(setting, new Value(env.get(), Source.ENV, setting.environmentVariable()));
      } else if (fromFile != null && !fromFile.isBlank()) {
        values.put(setting, new Value(fromFile.trim(), Source.FILE, configFile.toString()));
      } else {
        setting.defaultValue().ifPresent(value -> values.put(setting, new Value(value, Source.DEFAULT, "default")));
      }
    }
    if (!values.containsKey(Setting.SPOOL_DIR)) {
      values.put(Setting.SPOOL_DIR, new Value(environment.configDir().resolve("spool").toString(), Source.DEFAULT, "default"));
    }
    return new AgentConfig(values, environment, configFile);
  }

  private static Properties readFile(Path configFile) {
    Properties properties = new Properties();
    if (Files.isRegularFile(configFile)) {
      try (Reader reader = Files.newBufferedReader(configFile, StandardCharsets.UTF_8)) {
        properties.load(reader);
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot read config file " + configFile, e);
      }
    }
    return properties;
  }

  public Optional<String> get(Setting setting) {
    return Optional.ofNullable(values.get(setting)).map(Value::value);
  }

  public String require(Setting setting) {
    return get(setting).orElseThrow(() -> new IllegalStateException(setting.key() + " is not set"));
  }

  public Optional<Value> value(Setting setting) {
    return Optional.ofNullable(values.get(setting));
  }

  public Environment environment() {
    return environment;
  }

  public Path configFile() {
    return configFile;
  }

  public Path spoolDir() {
    return Path.of(require(Setting.SPOOL_DIR));
  }

  /** Kafka and registry client settings for the publisher. Secrets included: never print this. */
  public Map<String, Object> clientProperties() {
    Map<String, Object> props = new HashMap<>(new ClientSecurity(require(Setting.SECURITY_PROTOCOL), get(Setting.SASL_MECHANISM).orElse(null),
        get(Setting.SASL_USERNAME).orElse(null), get(Setting.SASL_PASSWORD).orElse(null), get(Setting.SSL_TRUSTSTORE_LOCATION).orElse(null),
        get(Setting.SSL_TRUSTSTORE_PASSWORD).orElse(null), get(Setting.SCHEMA_REGISTRY_USER_INFO).orElse(null), get(Setting.SCHEMA_REGISTRY_BEARER_TOKEN).orElse(null),
        get(Setting.SCHEMA_REGISTRY_TRUSTSTORE_LOCATION).orElse(null), get(Setting.SCHEMA_REGISTRY_TRUSTSTORE_PASSWORD).orElse(null)).clientProperties());
    props.put("bootstrap.servers", require(Setting.BOOTSTRAP_SERVERS));
    props.put(RegistryClientConfig.URL, require(Setting.SCHEMA_REGISTRY_URL));
    return props;
  }
}
