package io.tokbench.aggregator.support;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokbench.aggregator.query.RowJson;
import io.tokbench.aggregator.topology.Topics;
import io.tokbench.schema.StatsKey;
import io.tokbench.schema.StatsRow;
import io.tokbench.serde.AvroDeserializer;
import io.tokbench.testkit.KafkaStack;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;

/** The statistics rows as their readers see them: a consumer of tokbench.stats, and the API. */
public final class PublishedTables {
  private PublishedTables() {}

  /**
   * The latest committed row per key of tokbench.stats, read to its end as a downstream consumer
   * with {@code isolation.level=read_committed} sees it (tombstones remove a row).
   */
  public static Map<StatsKey, ExpectedTables.Row> statsTopic(KafkaStack stack) {
    return new StatsTopicReader(stack).rows();
  }

  /**
   * Reads tokbench.stats again and again with the same deserializers, whose schemas, once fetched,
   * stay cached: it can read while the registry is away.
   */
  public static final class StatsTopicReader {
    private final KafkaStack stack;
    private final AvroDeserializer<StatsKey> keys = new AvroDeserializer<>(StatsKey.class);
    private final AvroDeserializer<StatsRow> values = new AvroDeserializer<>(StatsRow.class);

    public StatsTopicReader(KafkaStack stack) {
      this.stack = stack;
      keys.configure(stack.clientConfig(), true);
      values.configure(stack.clientConfig(), false);
    }

    public Map<StatsKey, ExpectedTables.Row> rows() {
      return latest(readToEnd(stack, Topics.STATS, keys, values));
    }

    /** Reports counted in the committed rows: what a downstream reader sees processed so far. */
    public long reportsCounted() {
      return rows().values().stream().mapToLong(ExpectedTables.Row::reportCount).sum();
    }
  }

  private static Map<StatsKey, ExpectedTables.Row> latest(List<ConsumerRecord<StatsKey, StatsRow>> records) {
    Map<StatsKey, ExpectedTables.Row> rows = new HashMap<>();
    for (ConsumerRecord<StatsKey, StatsRow> record : records) {
      if (record.value() == null) {
        rows.remove(record.key());
      } else {
        rows.put(record.key(), row(record.value()));
      }
    }
    return rows;
  }

  /**
   * Every committed record of a topic, from the beginning to the last stable offset of each
   * partition, with deserializers already configured.
   */
  public static <K, V> List<ConsumerRecord<K, V>> readToEnd(KafkaStack stack, String topic, Deserializer<K> keys, Deserializer<V> values) {
    Map<String, Object> config = new HashMap<>(stack.clientConfig());
    config.put(ConsumerConfig.GROUP_ID_CONFIG, "chaos-reader-" + UUID.randomUUID());
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    List<ConsumerRecord<K, V>> records = new ArrayList<>();
    try (KafkaConsumer<K, V> consumer = new KafkaConsumer<>(config, keys, values)) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
          .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      // With read_committed the end offsets are the last stable offsets: every committed record.
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("could not read " + topic + " to its end within 60 s");
        }
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
    }
    return records;
  }

  /** Every row the API exports, with its raw (unrounded) rates. */
  public static Map<StatsKey, ExpectedTables.Row> api(String apiUrl) {
    RunningAggregators.Answer answer = RunningAggregators.get(apiUrl + "/api/v1/export?format=json");
    if (answer.status() != 200) {
      throw new IllegalStateException("GET /api/v1/export answered " + answer.status() + ": " + answer.body());
    }
    Map<StatsKey, ExpectedTables.Row> rows = new HashMap<>();
    for (JsonNode row : answer.body()) {
      rows.put(RowJson.key(row), new ExpectedTables.Row(row.path("rigCount").asInt(), row.path("reportCount").asLong(),
          row.path("generationTokensPerSecond").path("median").asDouble(), row.path("generationTokensPerSecond").path("p90").asDouble()));
    }
    return rows;
  }

  /** What an answer of {@code /api/v1/models} or {@code /api/v1/gpus} ({@code which}) lists, per id; empty unless it is a 200. */
  public static Map<String, ExpectedTables.Tally> tallies(RunningAggregators.Answer answer, String which) {
    Map<String, ExpectedTables.Tally> tallies = new java.util.TreeMap<>();
    if (answer.status() == 200) {
      for (JsonNode line : answer.body().path(which)) {
        tallies.put(line.path("id").asText(), new ExpectedTables.Tally(line.path("rows").asLong(), line.path("reports").asLong(), line.path("rigs").asLong()));
      }
    }
    return tallies;
  }

  /** The sum of the report counts of every row the API lists; -1 while it cannot answer. */
  public static long reportsCounted(String apiUrl) {
    try {
      RunningAggregators.Answer answer = RunningAggregators.get(apiUrl + "/api/v1/stats?size=1000");
      return answer.status() == 200 ? reportsIn(answer.body()) : -1;
    } catch (IllegalStateException e) {
      return -1;
    }
  }

  /** The sum of the report counts of the rows in an API answer. */
  public static long reportsIn(JsonNode answer) {
    long total = 0;
    for (JsonNode row : answer.path("rows")) {
      total += row.path("reportCount").asLong();
    }
    return total;
  }

  private static ExpectedTables.Row row(StatsRow row) {
    return new ExpectedTables.Row(row.getRigCount(), row.getReportCount(), row.getGenerationTokensPerSecond().getMedian(),
        row.getGenerationTokensPerSecond().getP90());
  }
}
