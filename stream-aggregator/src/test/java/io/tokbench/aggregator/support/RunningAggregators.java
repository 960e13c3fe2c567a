package io.tokbench.aggregator.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tokbench.agent.publish.DeliveryReport;
import io.tokbench.agent.publish.ReportPublisher;
import io.tokbench.agent.spool.Spool;
import io.tokbench.aggregator.app.Aggregator;
import io.tokbench.aggregator.app.AggregatorConfig;
import io.tokbench.aggregator.app.ConsumerGroupLag;
import io.tokbench.aggregator.topology.Topics;
import io.tokbench.schema.BenchmarkReport;
import io.tokbench.testkit.KafkaStack;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.TopicPartition;

/** Helpers for integration tests that run real aggregator instances against the test stack. */
public final class RunningAggregators {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private RunningAggregators() {}

  public static AggregatorConfig config(KafkaStack stack, String applicationId, Path stateDir) {
    return new AggregatorConfig(stack.bootstrapServers(), stack.registryUrl(), applicationId, "127.0.0.1", 0, "127.0.0.1", stateDir, 0, 3, (short) 1,
        Map.of("commit.interval.ms", 100));
  }

  public static Aggregator startRunning(AggregatorConfig config) throws InterruptedException {
    return startRunning(config, Duration.ofSeconds(60));
  }

  public static Aggregator startRunning(AggregatorConfig config, Duration timeout) throws InterruptedException {
    Aggregator aggregator = Aggregator.start(config);
    if (!aggregator.awaitRunning(timeout)) {
      aggregator.close();
      throw new IllegalStateException("aggregator did not reach RUNNING within " + timeout.toSeconds() + " s");
    }
    return aggregator;
  }

  /**
   * Waits until the application's consumer group has committed every partition of {@code topic} up
   * to its end: what was on the topic is processed, and what it forwarded is committed with it.
   */
  public static void awaitConsumed(KafkaStack stack, String applicationId, String topic, Duration timeout) throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
      long deadline = System.nanoTime() + timeout.toNanos();
      Map<TopicPartition, Long> behind = Map.of();
      List<TopicPartition> partitions = ConsumerGroupLag.partitionsOf(admin, topic);
      while (System.nanoTime() < deadline) {
        Map<TopicPartition, Long> lag = ConsumerGroupLag.behind(admin, applicationId, partitions);
        if (lag.isEmpty()) {
          return;
        }
        behind = lag;
        Thread.sleep(200);
      }
      throw new IllegalStateException(applicationId + " did not consume " + topic + " within " + timeout.toSeconds() + " s; behind: " + behind);
    }
  }

  /** Publishes through the agent's own spool and idempotent publisher. */
  public static void publishAsTheAgentDoes(KafkaStack stack, Path spoolDir, List<BenchmarkReport> reports) {
    Spool spool = new Spool(spoolDir);
    reports.forEach(spool::add);
    DeliveryReport delivery = new ReportPublisher(stack.clientConfig(), Topics.REPORTS, Duration.ofSeconds(30)).deliver(spool);
    if (delivery.failure().isPresent() || delivery.delivered() != reports.size()) {
      throw new IllegalStateException("publishing failed: " + delivery);
    }
  }

  /** Status and JSON body of a GET. */
  public record Answer(int status, JsonNode body, HttpResponse<String> response) {}

  public static Answer get(String url) {
    try {
      HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
      JsonNode body = response.headers().firstValue("Content-Type").orElse("").startsWith("application/json") ? JSON.readTree(response.body()) : JSON.nullNode();
      return new Answer(response.statusCode(), body, response);
    } catch (IOException e) {
      throw new IllegalStateException("GET " + url + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * Polls a URL until the answer satisfies the condition (a server not yet listening counts as not
   * yet); returns the last answer either way.
   */
  public static Answer await(String url, Predicate<Answer> condition, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Answer answer = tryGet(url);
    while ((answer == null || !condition.test(answer)) && System.nanoTime() < deadline) {
      Thread.sleep(200);
      answer = tryGet(url);
    }
    return answer == null ? get(url) : answer;
  }

  private static Answer tryGet(String url) {
    try {
      return get(url);
    } catch (IllegalStateException e) {
      return null;
    }
  }
}
