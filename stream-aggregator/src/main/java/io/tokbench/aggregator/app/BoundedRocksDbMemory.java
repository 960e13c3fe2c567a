package io.tokbench.aggregator.app;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

/**
 * Bounds the off-heap memory of every RocksDB store of the instance together: one block cache
 * shared by all stores, and the memtables charged against it through one write buffer manager
 * (the pattern of Kafka Streams' memory-management guide). Without it each store takes its own
 * cache and memtables, and memory grows with the number of stores and partitions.
 */
public final class BoundedRocksDbMemory implements RocksDBConfigSetter {
  /** Config key: total bytes for the block cache, memtables included. */
  public static final String TOTAL_BYTES_CONFIG = "tokbench.rocksdb.memory.bytes";
  /** Share of the total the memtables may take. */
  static final double MEMTABLE_SHARE = 0.5;
  /** Share of the cache kept for index and filter blocks. */
  static final double INDEX_FILTER_SHARE = 0.1;

  private static Cache cache;
  private static WriteBufferManager writeBuffers;
  private static long sizedFor;

  @Override
  public void setConfig(String storeName, Options options, Map<String, Object> configs) {
    long total = Long.parseLong(String.valueOf(configs.getOrDefault(TOTAL_BYTES_CONFIG, String.valueOf(256L << 20))));
    BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
    table.setBlockCache(shared(total));
    table.setCacheIndexAndFilterBlocks(true);
    table.setCacheIndexAndFilterBlocksWithHighPriority(true);
    table.setPinTopLevelIndexAndFilter(true);
    options.setWriteBufferManager(writeBuffers);
    options.setTableFormatConfig(table);
  }

  /** One cache per process: every store of every task shares it (the first size asked for wins). */
  private static synchronized Cache shared(long total) {
    if (cache == null) {
      cache = new LRUCache(total, -1, false, INDEX_FILTER_SHARE);
      writeBuffers = new WriteBufferManager((long) (total * MEMTABLE_SHARE), cache);
      sizedFor = total;
    }
    return cache;
  }

  /** The size the shared cache was made with, 0 before the first store opened. */
  public static synchronized long sizedFor() {
    return sizedFor;
  }

  @Override
  public void close(String storeName, Options options) {
    // The cache and write buffer manager are shared by every store: never closed with one of them.
  }
}
