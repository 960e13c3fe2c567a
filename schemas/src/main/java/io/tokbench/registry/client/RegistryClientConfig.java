package io.tokbench.registry.client;

import io.tokbench.security.TlsContexts;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * How to reach a registry, read from the same configuration keys Confluent's serde uses, so a
 * producer or Streams config written for Confluent works unchanged.
 *
 * @param urls one or more registry base URLs; requests fail over between them
 * @param authorization the value of the Authorization header, if any
 * @param timeout connect and request timeout
 * @param maxRetries retries after a connection failure, HTTP 429 or 5xx
 * @param tls the SSL context for https URLs whose certificate the JVM does not trust by default
 */
public record RegistryClientConfig(
    List<URI> urls, Optional<String> authorization, Duration timeout, int maxRetries, Optional<SSLContext> tls) {

  public static final String URL = "schema.registry.url";
  public static final String BASIC_AUTH_CREDENTIALS_SOURCE = "basic.auth.credentials.source";
  public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";
  public static final String BEARER_AUTH_CREDENTIALS_SOURCE = "bearer.auth.credentials.source";
  public static final String BEARER_AUTH_TOKEN = "bearer.auth.token";
  public static final String READ_TIMEOUT_MS = "http.read.timeout.ms";
  public static final String MAX_RETRIES = "max.retries";
  public static final String SSL_TRUSTSTORE_LOCATION = "schema.registry.ssl.truststore.location";
  public static final String SSL_TRUSTSTORE_PASSWORD = "schema.registry.ssl.truststore.password";
  public static final String SSL_TRUSTSTORE_TYPE = "schema.registry.ssl.truststore.type";

  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
  static final int DEFAULT_MAX_RETRIES = 3;

  public RegistryClientConfig {
    if (urls.isEmpty()) {
      throw new IllegalArgumentException(URL + " is required");
    }
    urls = List.copyOf(urls);
  }

  /** The URL(s) without any "user:password@" in them, for messages and listings. */
  public static String redacted(String urls) {
    return urls == null ? null : urls.replaceAll("://[^/@,]*@", "://****@");
  }

  /** A config for one URL with no credentials and default timeouts. */
  public static RegistryClientConfig of(String url) {
    return fromConfigs(Map.of(URL, url));
  }

  /** Reads Confluent-named keys from a Kafka client config map. */
  public static RegistryClientConfig fromConfigs(Map<String, ?> configs) {
    Object urlValue = configs.get(URL);
    if (urlValue == null || urlValue.toString().isBlank()) {
      throw new IllegalArgumentException(
          "Missing required configuration \"" + URL + "\" (e.g. http://localhost:8081)");
    }
    List<URI> urls = new ArrayList<>();
    Optional<String> urlUserInfo = Optional.empty();
    for (String part : urlValue.toString().split(",")) {
      String trimmed = part.trim();
      if (trimmed.isEmpty()) {
        continue;
      }
      URI uri = URI.create(trimmed.endsWith("/") ? trimmed.substring(0, trimmed.length() - 1) : trimmed);
      if (uri.getScheme() == null || uri.getHost() == null) {
        throw new IllegalArgumentException(
            "Invalid " + URL + " \"" + redacted(trimmed) + "\": expected http(s)://host:port");
      }
      if (uri.getUserInfo() != null) {
        urlUserInfo = Optional.of(uri.getUserInfo());
        uri = URI.create(uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort()) + uri.getRawPath());
      }
      urls.add(uri);
    }
    return new RegistryClientConfig(
        urls,
        authorization(configs, urlUserInfo),
        Duration.ofMillis(longValue(configs, READ_TIMEOUT_MS, DEFAULT_TIMEOUT.toMillis())),
        (int) longValue(configs, MAX_RETRIES, DEFAULT_MAX_RETRIES),
        tls(configs));
  }

  private static Optional<SSLContext> tls(Map<String, ?> configs) {
    Object location = configs.get(SSL_TRUSTSTORE_LOCATION);
    if (location == null || location.toString().isBlank()) {
      return Optional.empty();
    }
    Object password = configs.get(SSL_TRUSTSTORE_PASSWORD);
    Object type = configs.get(SSL_TRUSTSTORE_TYPE);
    return Optional.of(TlsContexts.trusting(Path.of(location.toString()), password == null ? null : password.toString(), type == null ? null : type.toString()));
  }

  private static Optional<String> authorization(Map<String, ?> configs, Optional<String> urlUserInfo) {
    Object bearerSource = configs.get(BEARER_AUTH_CREDENTIALS_SOURCE);
    Object token = configs.get(BEARER_AUTH_TOKEN);
    if (bearerSource != null && !"STATIC_TOKEN".equalsIgnoreCase(bearerSource.toString())) {
      throw new IllegalArgumentException(
          "Unsupported " + BEARER_AUTH_CREDENTIALS_SOURCE + " \"" + bearerSource + "\": only STATIC_TOKEN");
    }
    if (token != null && !token.toString().isBlank()) {
      return Optional.of("Bearer " + token);
    }
    Object sourceValue = configs.get(BASIC_AUTH_CREDENTIALS_SOURCE);
    String source = (sourceValue == null ? "URL" : sourceValue.toString()).trim().toUpperCase(Locale.ROOT);
    Optional<String> userInfo;
    switch (source) {
      case "USER_INFO" -> {
        Object info = configs.get(BASIC_AUTH_USER_INFO);
        if (info == null || !info.toString().contains(":")) {
          throw new IllegalArgumentException(
              BASIC_AUTH_USER_INFO + " must be user:password when " + BASIC_AUTH_CREDENTIALS_SOURCE + "=USER_INFO");
        }
        userInfo = Optional.of(info.toString());
      }
      case "URL" -> userInfo = urlUserInfo;
      default -> throw new IllegalArgumentException(
          "Unsupported " + BASIC_AUTH_CREDENTIALS_SOURCE + " \"" + source + "\": use USER_INFO or URL");
    }
    return userInfo.map(
        info -> "Basic " + Base64.getEncoder().encodeToString(info.getBytes(StandardCharsets.UTF_8)));
  }

  private static long longValue(Map<String, ?> configs, String key, long fallback) {
    Object value = configs.get(key);
    if (value == null) {
      return fallback;
    }
    try {
      return Long.parseLong(value.toString().trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("Invalid " + key + " \"" + value + "\": expected a number", e);
    }
  }

  /** Never prints the credentials. */
  @Override
  public String toString() {
    return "RegistryClientConfig[urls=" + urls + ", authorization=" + authorization.map(a -> a.substring(0, a.indexOf(' ')) + " ****").orElse("none")
        + ", timeout=" + timeout + ", maxRetries=" + maxRetries + "]";
  }
}
