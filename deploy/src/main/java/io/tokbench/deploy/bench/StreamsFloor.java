package io.tokbench.deploy.bench;

import io.tokbench.aggregator.topology.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * What Kafka Streams itself does on this machine with the least any aggregation needs: the reports
 * read as bytes, re-partitioned by model (taken from the record key) through a topic, counted per key in a changelogged,
 * cached RocksDB store, and the counts written to an output topic, exactly-once v2 with the
 * aggregator's settings (commit interval, one stream thread per core, lz4, replication 1). It does
 * not decode a report. The aggregator does this and more (Avro decoding and validation, a second
 * repartition for the calibration, nine stores), so its rate can approach this one and never pass
 * it: the benchmark prints both, so the distance to raw Kafka splits into the framework's share and
 * the aggregator's.
 *
 * <p>{@code StreamsFloor BOOTSTRAP STATE_DIR PARTITIONS COMMIT_INTERVAL_MS}: prints "RUNNING" when
 * its threads run, and stops when its standard input closes.
 */
public final class StreamsFloor {
  static final String APPLICATION_ID = "bench-streams-floor";
  /** Each key's count: the sum of the latest counts is the number of reports the floor processed. */
  static final String COUNTS_TOPIC = "bench.floor.counts";

  private StreamsFloor() {}

  /** The model part of the agent's record key "rig/model", as the aggregator keys its rows by model (a string operation, no decoding). */
  static Bytes model(Bytes key) {
    if (key == null) {
      return Bytes.wrap(new byte[0]);
    }
    byte[] bytes = key.get();
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == '/') {
        return Bytes.wrap(Arrays.copyOfRange(bytes, i + 1, bytes.length));
      }
    }
    return key;
  }

  public static void main(String[] args) throws Exception {
    StreamsBuilder builder = new StreamsBuilder();
    builder.stream(Topics.REPORTS, Consumed.with(Serdes.Bytes(), Serdes.Bytes()).withName("reports"))
        .selectKey((key, value) -> model(key), Named.as("by-model"))
        .repartition(Repartitioned.with(Serdes.Bytes(), Serdes.Bytes()).withName("by-key").withNumberOfPartitions(Integer.parseInt(args[2])))
        .groupByKey(Grouped.with(Serdes.Bytes(), Serdes.Bytes()))
        .count(Materialized.<Bytes, Long, KeyValueStore<Bytes, byte[]>>as("counts").withKeySerde(Serdes.Bytes()).withValueSerde(Serdes.Long()).withCachingEnabled())
        .toStream()
        .to(COUNTS_TOPIC, Produced.with(Serdes.Bytes(), Serdes.Long()));

    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, APPLICATION_ID);
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
    props.put(StreamsConfig.STATE_DIR_CONFIG, Path.of(args[1]).toString());
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
    props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Runtime.getRuntime().availableProcessors());
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, Long.parseLong(args[3]));
    props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    props.put(StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG), "lz4");

    CompletableFuture<KafkaStreams.State> settled = new CompletableFuture<>();
    try (KafkaStreams streams = new KafkaStreams(builder.build(), props)) {
      streams.setStateListener((now, before) -> {
        if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.PENDING_ERROR) {
          // Exiting tells the benchmark at once, where waiting would let it time out on counts that never come.
          System.out.println("FAILED: the floor's Kafka Streams client stopped in state " + now + " (see above)");
          System.out.flush();
          Runtime.getRuntime().halt(1);
        }
        if (now == KafkaStreams.State.RUNNING) {
          settled.complete(now);
        }
      });
      streams.start();
      settled.get();
      System.out.println("RUNNING");
      System.out.flush();
      while (System.in.read() >= 0) {
        // the benchmark holds our standard input open for as long as it measures
      }
      streams.close(Duration.ofSeconds(30));
    }
    System.exit(0);
  }
}
