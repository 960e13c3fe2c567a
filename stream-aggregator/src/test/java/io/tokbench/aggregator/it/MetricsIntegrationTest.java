package io.tokbench.aggregator.it;

import static io.tokbench.aggregator.support.RunningAggregators.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.tokbench.aggregator.app.Aggregator;
import io.tokbench.aggregator.support.PrometheusText;
import io.tokbench.aggregator.support.RunningAggregators;
import io.tokbench.aggregator.support.TestReports;
import io.tokbench.testkit.KafkaStack;
import io.tokbench.testkit.WithKafkaStack;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * /metrics read with the Prometheus project's parser: Kafka Streams' metrics (threads, and RocksDB's
 * properties per store), the JVM's and the process's, and the aggregator's own, each with its TYPE
 * and HELP.
 */
@WithKafkaStack
class MetricsIntegrationTest {
  private final KafkaStack stack;
  @TempDir Path dir;

  MetricsIntegrationTest(KafkaStack stack) {
    this.stack = stack;
  }

  @Test
  void metricsParseAsPrometheusTextWithStreamsRocksDbJvmAndOwnFamilies() throws Exception {
    Assumptions.assumeTrue(PrometheusText.available(),
        "the Prometheus text parser is not installed: apt-get install python3-prometheus-client (.ci/run installs it)");
    try (Aggregator aggregator = RunningAggregators.startRunning(RunningAggregators.config(stack, "it-metrics-" + UUID.randomUUID(), dir.resolve("state")))) {
      RunningAggregators.publishAsTheAgentDoes(stack, dir.resolve("spool"), List.of(TestReports.at(UUID.randomUUID(), 80, Instant.now().minusSeconds(30))));
      await(aggregator.apiUrl() + "/api/v1/stats", a -> a.status() == 200 && a.body().path("total").asInt() == 1, Duration.ofSeconds(60));
      RunningAggregators.get(aggregator.apiUrl() + "/api/v1/stats?ctx=eight");
      List<String> expected = List.of(
          // Kafka Streams: a thread's processing, a client's lag
          "kafka_stream_thread_process_rate", "kafka_stream_thread_commit_latency_avg", "kafka_consumer_fetch_manager_records_lag_max",
          // RocksDB's properties, per store
          "kafka_stream_state_estimate_num_keys", "kafka_stream_state_block_cache_usage", "kafka_stream_state_size_all_mem_tables",
          // the JVM and the process
          "jvm_memory_used_bytes", "jvm_gc_pause_seconds", "jvm_threads_live_threads", "process_cpu_usage", "process_uptime_seconds",
          // the aggregator's own
          "tokbench_reports_accepted", "tokbench_stream_thread_replacements", "tokbench_query_latency_seconds");
      // Stores open when their tasks start and the Streams binder picks up new metrics every 10 s, so
      // families appear at different moments; GC pauses are a timer that appears with the first
      // collection: make sure there was one.
      String url = aggregator.internalUrl() + "/metrics";
      System.gc();
      // The query timer is recorded after the answer is written, so a scrape can come before it.
      String text = await(url, a -> expected.stream().allMatch(name -> a.response().body().contains("# TYPE " + name))
          && a.response().body().contains("status=\"400\""), Duration.ofSeconds(60)).response().body();
      assertThat(RunningAggregators.get(url).response().headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));

      Map<String, PrometheusText.Family> families = PrometheusText.parse(text);
      assertThat(families.keySet()).containsAll(expected);
      for (String name : expected) {
        PrometheusText.Family family = families.get(name);
        assertThat(family.type()).as("TYPE of %s", name).isNotIn("", "unknown");
        assertThat(family.help()).as("HELP of %s", name).isNotBlank();
      }
      assertThat(families.get("tokbench_reports_accepted").type()).isEqualTo("counter");
      assertThat(families.get("tokbench_query_latency_seconds").type()).isEqualTo("histogram");
      assertThat(text).contains("tokbench_reports_accepted_total 1.0").contains("endpoint=\"/api/v1/stats\"").contains("status=\"400\"");
    }
  }
}
