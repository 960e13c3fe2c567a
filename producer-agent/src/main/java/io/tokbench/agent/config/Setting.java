package io.tokbench.agent.config;

import java.util.Optional;

/**
 * One configurable value of the agent: its key in the config file, its environment variable, its
 * default, and whether it is a secret (never printed, never logged).
 */
public enum Setting {
  BOOTSTRAP_SERVERS("bootstrap.servers", "TOKBENCH_BOOTSTRAP_SERVERS", "localhost:9092", false),
  SCHEMA_REGISTRY_URL("schema.registry.url", "TOKBENCH_SCHEMA_REGISTRY_URL", "http://localhost:8081", false),
  SCHEMA_REGISTRY_USER_INFO("schema.registry.user.info", "TOKBENCH_SCHEMA_REGISTRY_USER_INFO", null, true),
  SCHEMA_REGISTRY_BEARER_TOKEN("schema.registry.bearer.token", "TOKBENCH_SCHEMA_REGISTRY_BEARER_TOKEN", null, true),
  SCHEMA_REGISTRY_TRUSTSTORE_LOCATION("schema.registry.ssl.truststore.location", "TOKBENCH_SCHEMA_REGISTRY_TRUSTSTORE_LOCATION", null, false),
  SCHEMA_REGISTRY_TRUSTSTORE_PASSWORD("schema.registry.ssl.truststore.password", "TOKBENCH_SCHEMA_REGISTRY_TRUSTSTORE_PASSWORD", null, true),
  TOPIC("topic", "TOKBENCH_TOPIC", "tokbench.reports", false),
  SECURITY_PROTOCOL("security.protocol", "TOKBENCH_SECURITY_PROTOCOL", "PLAINTEXT", false),
  SASL_MECHANISM("sasl.mechanism", "TOKBENCH_SASL_MECHANISM", null, false),
  SASL_USERNAME("sasl.username", "TOKBENCH_SASL_USERNAME", null, false),
  SASL_PASSWORD("sasl.password", "TOKBENCH_SASL_PASSWORD", null, true),
  SSL_TRUSTSTORE_LOCATION("ssl.truststore.location", "TOKBENCH_SSL_TRUSTSTORE_LOCATION", null, false),
  SSL_TRUSTSTORE_PASSWORD("ssl.truststore.password", "TOKBENCH_SSL_TRUSTSTORE_PASSWORD", null, true),
  SPOOL_DIR("spool.dir", "TOKBENCH_SPOOL_DIR", null, false),
  DELIVERY_TIMEOUT_MS("delivery.timeout.ms", "TOKBENCH_DELIVERY_TIMEOUT_MS", "30000", false),
  /** The probed runtime's API key (llama-server --api-key, vLLM --api-key), sent as a bearer token. */
  RUNTIME_API_KEY("runtime.api.key", "TOKBENCH_RUNTIME_API_KEY", null, true, "--api-key");

  private final String key;
  private final String environmentVariable;
  private final String defaultValue;
  private final boolean secret;
  private final String flag;

  Setting(String key, String environmentVariable, String defaultValue, boolean secret) {
    this(key, environmentVariable, defaultValue, secret, "--" + key.replace('.', '-'));
  }

  Setting(String key, String environmentVariable, String defaultValue, boolean secret, String flag) {
    this.key = key;
    this.environmentVariable = environmentVariable;
    this.defaultValue = defaultValue;
    this.secret = secret;
    this.flag = flag;
  }

  public String key() {
    return key;
  }

  public String environmentVariable() {
    return environmentVariable;
  }

  public Optional<String> defaultValue() {
    return Optional.ofNullable(defaultValue);
  }

  public boolean secret() {
    return secret;
  }

  /** The command-line flag that sets it. */
  public String flag() {
    return flag;
  }
}
