package io.tokbench.aggregator.it;

import static io.tokbench.aggregator.support.RunningAggregators.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.tokbench.aggregator.app.Aggregator;
import io.tokbench.aggregator.app.AggregatorConfig;
import io.tokbench.aggregator.query.ApiProtection;
import io.tokbench.aggregator.query.Freshness;
import io.tokbench.aggregator.support.RunningAggregators;
import io.tokbench.aggregator.topology.AggregatorTopology;
import io.tokbench.aggregator.support.TestReports;
import io.tokbench.schema.BenchmarkReport;
import io.tokbench.testkit.KafkaStack;
import io.tokbench.testkit.WithKafkaStack;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.streams.LagInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * While partitions move (an instance leaves, then comes back), the instance that stays answers
 * every query in full, from its own standby copies where the active one is gone, saying so when the
 * copy may lag; its /ready stays 200 throughout.
 */
@WithKafkaStack
class QueriesThroughRebalanceIntegrationTest {
  private static final int MODELS = 12;
  private final KafkaStack stack;
  @TempDir Path dir;

  QueriesThroughRebalanceIntegrationTest(KafkaStack stack) {
    this.stack = stack;
  }

  @Test
  void theStayingInstanceAnswersInFullWhileTheOtherLeavesAndReturns() throws Exception {
    String app = "it-rebalance-" + UUID.randomUUID();
    AggregatorConfig firstConfig = RunningAggregators.config(stack, app, dir.resolve("a")).withStandbyReplicas(1).withProtection(new ApiProtection(null, 0));
    AggregatorConfig secondConfig = RunningAggregators.config(stack, app, dir.resolve("b")).withStandbyReplicas(1).withProtection(new ApiProtection(null, 0));
    try (Aggregator first = Aggregator.start(firstConfig)) {
      Aggregator second = Aggregator.start(secondConfig);
      try {
        List<BenchmarkReport> reports = new ArrayList<>();
        Instant now = Instant.now().minusSeconds(30);
        for (int i = 0; i < MODELS; i++) {
          reports.add(TestReports.forModel(TestReports.at(UUID.randomUUID(), 60 + i, now), "rebalance-model-" + i));
        }
        RunningAggregators.publishAsTheAgentDoes(stack, dir.resolve("spool"), reports);
        for (Aggregator instance : List.of(first, second)) {
          await(instance.apiUrl() + "/api/v1/stats", a -> a.status() == 200 && a.body().path("total").asInt() == MODELS, Duration.ofSeconds(90));
        }
        // Standbys caught up: both instances hold a copy of every partition, none behind.
        awaitEveryPartitionCaughtUp(first, firstConfig.partitions());
        awaitEveryPartitionCaughtUp(second, secondConfig.partitions());

        Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
        AtomicBoolean querying = new AtomicBoolean(true);
        Thread reader = new Thread(() -> {
          while (querying.get()) {
            RunningAggregators.Answer all = RunningAggregators.get(first.apiUrl() + "/api/v1/stats?size=100");
            String stale = all.response().headers().firstValue(Freshness.STALE_HEADER).orElse("?");
            outcomes.computeIfAbsent("stats " + all.status() + " total=" + all.body().path("total").asInt() + " stale=" + stale + all.body().path("error").asText(""), k -> new AtomicInteger()).incrementAndGet();
            RunningAggregators.Answer one = RunningAggregators.get(first.apiUrl() + "/api/v1/community/raw:rebalance-model-" + (int) (Math.random() * MODELS));
            outcomes.computeIfAbsent("community " + one.status() + one.body().path("error").asText(""), k -> new AtomicInteger()).incrementAndGet();
            outcomes.computeIfAbsent("ready " + RunningAggregators.get(first.internalUrl() + "/ready").status(), k -> new AtomicInteger()).incrementAndGet();
          }
        }, "rebalance-reader");
        reader.start();
        try {
          Thread.sleep(1000);
          second.close(); // leaves the group: its partitions move to the first instance's standbys
          second = null;
          Thread.sleep(8000);
          second = Aggregator.start(secondConfig); // joins again: partitions move back
          await(second.internalUrl() + "/ready", a -> a.status() == 200, Duration.ofSeconds(60));
          Thread.sleep(8000);
        } finally {
          querying.set(false);
          reader.join();
        }
        Map<String, Integer> seen = new TreeMap<>();
        outcomes.forEach((k, v) -> seen.put(k, v.get()));
        System.out.println("answers of the staying instance while the other left and returned: " + seen);
        assertThat(seen.keySet()).as("every answer complete, every readiness check 200: %s", seen)
            .allMatch(k -> k.startsWith("stats 200 total=" + MODELS + " ") || k.equals("community 200") || k.equals("ready 200"));
        assertThat(seen.getOrDefault("community 200", 0)).isGreaterThan(10);
      } finally {
        if (second != null) {
          second.close();
        }
      }
    }
  }

  /** Until the instance holds every partition of the stats and community stores (active or standby), none behind. */
  private static void awaitEveryPartitionCaughtUp(Aggregator instance, int partitionCount) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    Map<String, Map<Integer, LagInfo>> lags = Map.of();
    while (System.nanoTime() < deadline) {
      lags = instance.streams().allLocalStorePartitionLags();
      Map<String, Map<Integer, LagInfo>> seen = lags;
      boolean caughtUp = List.of(AggregatorTopology.STATS_STORE, AggregatorTopology.COMMUNITY_STORE).stream().allMatch(store -> {
        Map<Integer, LagInfo> partitions = seen.getOrDefault(store, Map.of());
        // Exactly-once: a changelog ends with a transaction marker no copy reads, so a copy that has every
        // record is one offset short of the end; one record behind would be two.
        return partitions.size() == partitionCount && partitions.values().stream().allMatch(lag -> lag.offsetLag() <= 1);
      });
      if (caughtUp) {
        return;
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("the instance's copies did not catch up within 60 s: " + lags);
  }
}
