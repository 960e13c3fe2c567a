package io.tokbench.aggregator.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokbench.aggregator.query.RowJson;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** GETs JSON from a running aggregator for the maintenance subcommands; waits out a rebalance's 503s. */
final class ApiClient {
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String baseUrl;

  ApiClient(String baseUrl) {
    this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
  }

  JsonNode get(String path) throws IOException, InterruptedException {
    URI uri = URI.create(baseUrl + path);
    for (int attempt = 1; ; attempt++) {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() == 200) {
        return RowJson.JSON.readTree(response.body());
      }
      if (response.statusCode() != 503 || attempt == 30) {
        throw new IOException(uri + " answered " + response.statusCode() + ": " + response.body());
      }
      Thread.sleep(1000);
    }
  }
}
