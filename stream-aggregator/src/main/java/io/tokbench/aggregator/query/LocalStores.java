package io.tokbench.aggregator.query;

import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.LagInfo;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Reads one partition of this instance's stores: from the running active task when it can; else,
 * while partitions move, from a standby copy or a store still restoring (Kafka Streams' stale-store
 * queries), provided it lags its changelog by no more than {@link #MAX_STALE_LAG} records, so a
 * store restoring from scratch never passes for a table.
 */
final class LocalStores {
  /** A copy further behind than this is not served. */
  static final long MAX_STALE_LAG = 10_000;
  /** Lags need a round trip to the brokers (end offsets): computed at most this often. */
  private static final long LAG_CACHE_NANOS = Duration.ofSeconds(1).toNanos();

  private final KafkaStreams streams;
  private Map<String, Map<Integer, LagInfo>> lags = Map.of();
  private long lagsComputedAt;

  LocalStores(KafkaStreams streams) {
    this.streams = streams;
  }

  <T, R> R read(String store, int partition, Freshness freshness, Function<ReadOnlyKeyValueStore<String, T>, R> read) {
    if (!QueryService.queryable(streams.state())) {
      throw new PartitionUnavailable("this instance is " + streams.state());
    }
    try {
      return read.apply(streams.store(StoreQueryParameters.fromNameAndType(store, QueryableStoreTypes.<String, T>keyValueStore()).withPartition(partition)));
    } catch (InvalidStateStoreException notActiveAndRunning) {
      // a standby, a restoring task, or not here at all: the stale query tells which
    }
    long lag = lag(store, partition);
    try {
      R result = read.apply(streams.store(StoreQueryParameters.fromNameAndType(store, QueryableStoreTypes.<String, T>keyValueStore())
          .enableStaleStores().withPartition(partition)));
      freshness.stale(lag);
      return result;
    } catch (InvalidStateStoreException e) {
      throw new PartitionUnavailable("partition " + partition + " of " + store + " is not on this instance");
    }
  }

  private long lag(String store, int partition) {
    LagInfo info = lags(false).getOrDefault(store, Map.of()).get(partition);
    if (info == null) {
      info = lags(true).getOrDefault(store, Map.of()).get(partition); // a task that arrived since the last look
    }
    if (info == null) {
      throw new PartitionUnavailable("partition " + partition + " of " + store + " is not on this instance");
    }
    if (info.offsetLag() > MAX_STALE_LAG) {
      throw new PartitionUnavailable("partition " + partition + " of " + store + " is " + info.offsetLag() + " records behind");
    }
    return info.offsetLag();
  }

  private synchronized Map<String, Map<Integer, LagInfo>> lags(boolean now) {
    long at = System.nanoTime();
    if (now || lagsComputedAt == 0 || at - lagsComputedAt > LAG_CACHE_NANOS) {
      try {
        lags = streams.allLocalStorePartitionLags();
        lagsComputedAt = at;
      } catch (RuntimeException e) {
        return Map.of(); // unknown lags: no stale copy is served until they are known again
      }
    }
    return lags;
  }
}
