package io.tokbench.security;

import io.tokbench.registry.client.RegistryClientConfig;
import java.util.HashMap;
import java.util.Map;

/**
 * How a tokbench client (the agent, the aggregator) authenticates to Kafka and to the schema
 * registry, as the client properties Kafka's clients and the registry client read. Shared so the
 * agent and the aggregator accept the same settings under the same names.
 *
 * @param protocol PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL
 * @param saslMechanism SCRAM-SHA-512, SCRAM-SHA-256 or PLAIN (PLAIN only over TLS in production); null for none
 * @param truststoreLocation the broker's CA in a PKCS12 or JKS truststore, for SSL and SASL_SSL; null for the JVM's
 * @param registryUserInfo "user:password" for the registry's HTTP basic auth; null for none
 * @param registryBearerToken a static bearer token for the registry; null for none
 * @param registryTruststoreLocation the CA of an https registry the JVM does not trust by default; null for the JVM's
 */
public record ClientSecurity(String protocol, String saslMechanism, String saslUsername, String saslPassword,
                             String truststoreLocation, String truststorePassword, String registryUserInfo, String registryBearerToken,
                             String registryTruststoreLocation, String registryTruststorePassword) {
  /** Kafka over SASL only, nothing special for the registry. */
  public static ClientSecurity sasl(String protocol, String mechanism, String username, String password) {
    return new ClientSecurity(protocol, mechanism, username, password, null, null, null, null, null, null);
  }

  /** Secrets included: never print or log the result. */
  public Map<String, Object> clientProperties() {
    Map<String, Object> props = new HashMap<>();
    props.put("security.protocol", protocol);
    if (saslMechanism != null) {
      props.put("sasl.mechanism", saslMechanism);
      String module = saslMechanism.startsWith("SCRAM") ? "org.apache.kafka.common.security.scram.ScramLoginModule" : "org.apache.kafka.common.security.plain.PlainLoginModule";
      props.put("sasl.jaas.config", module + " required username=\"" + escape(saslUsername) + "\" password=\"" + escape(saslPassword) + "\";");
    }
    if (truststoreLocation != null) {
      props.put("ssl.truststore.location", truststoreLocation);
    }
    if (truststorePassword != null) {
      props.put("ssl.truststore.password", truststorePassword);
    }
    if (registryUserInfo != null) {
      props.put(RegistryClientConfig.BASIC_AUTH_CREDENTIALS_SOURCE, "USER_INFO");
      props.put(RegistryClientConfig.BASIC_AUTH_USER_INFO, registryUserInfo);
    }
    if (registryBearerToken != null) {
      props.put(RegistryClientConfig.BEARER_AUTH_CREDENTIALS_SOURCE, "STATIC_TOKEN");
      props.put(RegistryClientConfig.BEARER_AUTH_TOKEN, registryBearerToken);
    }
    if (registryTruststoreLocation != null) {
      props.put(RegistryClientConfig.SSL_TRUSTSTORE_LOCATION, registryTruststoreLocation);
    }
    if (registryTruststorePassword != null) {
      props.put(RegistryClientConfig.SSL_TRUSTSTORE_PASSWORD, registryTruststorePassword);
    }
    return props;
  }

  /** JAAS option values are quoted strings: a quote or backslash in a password must not end them. */
  private static String escape(String value) {
    return value == null ? "" : value.replace("\\", "\\\\").replace("\"", "\\\"");
  }

  /** Never the secrets. */
  @Override
  public String toString() {
    return "ClientSecurity[protocol=" + protocol + ", saslMechanism=" + saslMechanism + ", saslUsername=" + saslUsername
        + ", saslPassword=" + mask(saslPassword) + ", truststoreLocation=" + truststoreLocation + ", truststorePassword=" + mask(truststorePassword)
        + ", registryUserInfo=" + mask(registryUserInfo) + ", registryBearerToken=" + mask(registryBearerToken)
        + ", registryTruststoreLocation=" + registryTruststoreLocation + ", registryTruststorePassword=" + mask(registryTruststorePassword) + "]";
  }

  private static String mask(String secret) {
    return secret == null ? "null" : "****";
  }
}
