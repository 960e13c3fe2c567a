package io.tokbench.aggregator.query;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.streams.state.HostInfo;

/**
 * Asks another instance, on its internal listener, for its share of an answer: named partitions of
 * its stores. A peer that does not answer in time, or answers anything but 200, cannot serve those
 * partitions now; the caller tries their next copy.
 */
final class PeerClient {
  /** Well under the request deadline, so a dead peer leaves time to ask a standby. */
  private static final Duration TIMEOUT = Duration.ofSeconds(3);
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  JsonNode get(HostInfo host, String path, Set<Integer> partitions, Map<String, String> params, Freshness freshness) {
    StringBuilder query = new StringBuilder("?partitions=")
        .append(new TreeSet<>(partitions).stream().map(String::valueOf).collect(Collectors.joining(",")));
    params.forEach((k, v) -> query.append('&').append(encode(k)).append('=').append(encode(v)));
    URI uri = URI.create("http://" + host.host() + ":" + host.port() + path + query);
    try {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build(), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new PartitionUnavailable("instance " + host + " answered " + response.statusCode());
      }
      freshness.merge(response.headers().firstValue(Freshness.STALE_HEADER).orElse(null), response.headers().firstValue(Freshness.LAG_HEADER).orElse(null));
      return RowJson.JSON.readTree(response.body());
    } catch (IOException e) {
      throw new PartitionUnavailable("instance " + host + " is unreachable");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PartitionUnavailable("interrupted while asking " + host);
    }
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
