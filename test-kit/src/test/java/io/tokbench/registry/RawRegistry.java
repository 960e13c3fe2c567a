package io.tokbench.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Plain HTTP against a registry, so conformance tests see exactly what any client would. */
final class RawRegistry {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String baseUrl;

  RawRegistry(String baseUrl) {
    this.baseUrl = baseUrl;
  }

  record Answer(int status, JsonNode body, String contentType) {
    int errorCode() {
      return body.path("error_code").asInt();
    }
  }

  Answer get(String path) {
    return call("GET", path, null, RegistryMediaTypes.V1_JSON, null);
  }

  Answer delete(String path) {
    return call("DELETE", path, null, RegistryMediaTypes.V1_JSON, null);
  }

  Answer post(String path, JsonNode body) {
    return call("POST", path, body.toString(), RegistryMediaTypes.V1_JSON, null);
  }

  Answer put(String path, JsonNode body) {
    return call("PUT", path, body.toString(), RegistryMediaTypes.V1_JSON, null);
  }

  /** {"schema": "<schema JSON as a string>"} */
  static JsonNode schemaBody(String schemaJson) {
    return JSON.createObjectNode().put("schema", schemaJson);
  }

  Answer call(String method, String path, String body, String contentType, String accept) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(30));
    if (accept != null) {
      builder.header("Accept", accept);
    }
    if (body != null) {
      builder.header("Content-Type", contentType).method(method, HttpRequest.BodyPublishers.ofString(body));
    } else {
      builder.method(method, HttpRequest.BodyPublishers.noBody());
    }
    try {
      HttpResponse<String> response = http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
      JsonNode json = response.body().isEmpty() ? JSON.nullNode() : JSON.readTree(response.body());
      return new Answer(response.statusCode(), json, response.headers().firstValue("Content-Type").orElse(""));
    } catch (IOException e) {
      throw new IllegalStateException(method + " " + path + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
