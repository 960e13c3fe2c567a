package io.tokbench.registry.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The client reads the keys Confluent's serde documents, so existing configs work unchanged. */
class RegistryClientConfigTest {

  @Test
  void readsACommaSeparatedUrlListForFailover() {
    RegistryClientConfig config = RegistryClientConfig.fromConfigs(Map.of("schema.registry.url", "http://a:8081/, http://b:8081"));
    assertThat(config.urls()).containsExactly(URI.create("http://a:8081"), URI.create("http://b:8081"));
    assertThat(config.authorization()).isEmpty();
    assertThat(config.timeout()).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void basicAuthFromUserInfo() {
    RegistryClientConfig config =
        RegistryClientConfig.fromConfigs(
            Map.of("schema.registry.url", "https://r:8081", "basic.auth.credentials.source", "USER_INFO", "basic.auth.user.info", "agent:s3cret"));
    assertThat(config.authorization()).contains("Basic " + Base64.getEncoder().encodeToString("agent:s3cret".getBytes()));
  }

  @Test
  void basicAuthFromTheUrlIsTakenOutOfTheUrl() {
    RegistryClientConfig config = RegistryClientConfig.fromConfigs(Map.of("schema.registry.url", "http://agent:pw@r:8081"));
    assertThat(config.urls()).containsExactly(URI.create("http://r:8081"));
    assertThat(config.authorization()).contains("Basic " + Base64.getEncoder().encodeToString("agent:pw".getBytes()));
  }

  @Test
  void bearerToken() {
    RegistryClientConfig config =
        RegistryClientConfig.fromConfigs(
            Map.of("schema.registry.url", "http://r", "bearer.auth.credentials.source", "STATIC_TOKEN", "bearer.auth.token", "tkn"));
    assertThat(config.authorization()).contains("Bearer tkn");
  }

  @Test
  void toStringNeverShowsCredentials() {
    RegistryClientConfig config =
        RegistryClientConfig.fromConfigs(
            Map.of("schema.registry.url", "http://r", "basic.auth.credentials.source", "USER_INFO", "basic.auth.user.info", "agent:s3cret"));
    assertThat(config.toString()).doesNotContain("s3cret").doesNotContain(Base64.getEncoder().encodeToString("agent:s3cret".getBytes())).contains("Basic ****");
  }

  @Test
  void badValuesAreNamedInTheError() {
    assertThatThrownBy(() -> RegistryClientConfig.fromConfigs(Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("schema.registry.url");
    assertThatThrownBy(() -> RegistryClientConfig.fromConfigs(Map.of("schema.registry.url", "localhost:8081")))
        .hasMessageContaining("expected http(s)://host:port");
    assertThatThrownBy(() -> RegistryClientConfig.fromConfigs(Map.of("schema.registry.url", "http://r", "basic.auth.credentials.source", "USER_INFO")))
        .hasMessageContaining("basic.auth.user.info");
    assertThatThrownBy(() -> RegistryClientConfig.fromConfigs(Map.of("schema.registry.url", "http://r", "http.read.timeout.ms", "soon")))
        .hasMessageContaining("http.read.timeout.ms");
  }
}
