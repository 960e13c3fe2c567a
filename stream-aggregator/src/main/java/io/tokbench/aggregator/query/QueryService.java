package io.tokbench.aggregator.query;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokbench.aggregator.aggregate.PartitionTallies;
import io.tokbench.aggregator.aggregate.RigContributions;
import io.tokbench.aggregator.aggregate.RollUpProcessor;
import io.tokbench.aggregator.aggregate.RowChanges;
import io.tokbench.aggregator.aggregate.StatsCalculator;
import io.tokbench.aggregator.normalize.StatsKeys;
import io.tokbench.aggregator.state.RigContribution;
import io.tokbench.aggregator.state.Tally;
import io.tokbench.aggregator.topology.AggregatorTopology;
import io.tokbench.aggregator.topology.ContributionPartitioner;
import io.tokbench.aggregator.topology.Topics;
import io.tokbench.schema.CalibrationRecord;
import io.tokbench.schema.CommunityRow;
import io.tokbench.schema.StatsKey;
import io.tokbench.schema.StatsRow;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers queries from any instance. A model's rows live in one partition of the aggregate stores
 * (the contributions topic is keyed by model); cross-model queries need every partition. Each
 * partition is read from one copy: its active instance first, then its standbys; a copy that cannot
 * serve (an instance leaving, a store restoring) hands the partition to the next one, and an answer
 * read from a standby or a catching-up store says so ({@link Freshness}). Only when no copy of some
 * partition can serve is the query refused ({@link NotReadyException}): never a partial table.
 */
public final class QueryService {
  private static final Logger log = LoggerFactory.getLogger(QueryService.class);
  /** The path prefix of instance-to-instance queries, on the internal listener. */
  public static final String PEER_PREFIX = "/internal/v1";

  private final KafkaStreams streams;
  private final HostInfo self;
  private final LocalStores local;
  private final PeerClient peers = new PeerClient();
  /** How long a query waits for a partition between owners before it answers 503. */
  private static final long SETTLE_NANOS = java.time.Duration.ofSeconds(3).toNanos();
  /** The most partitions ever seen in the metadata: a partition missing from it is still waited for. */
  private volatile int knownPartitions;
  /**
   * Where each partition's copies were, as last read from Kafka Streams' metadata. Those calls take
   * a lock every stream thread also takes, and under 64 clients they were most of an answer's time;
   * a route this old at most is used as is, and a copy found missing refreshes it.
   */
  private static final long ROUTES_NANOS = java.time.Duration.ofSeconds(1).toNanos();
  private volatile Routes routes;
  /** Partitions of the aggregate's input: a model's rows are in partition murmur2(model) of them. */
  private final int partitions;
  /** How much heap the answers kept per model may take. */
  static final long MODEL_ROWS_BYTES = 32L << 20;
  private final RowChanges changes;
  /**
   * Each model's rows as last read from this instance's running task, kept until the stream says
   * the model changed: a popular model's rows are then read without the locks a store read shares
   * with the stream threads (Kafka Streams' task registry, the record cache).
   */
  private final com.github.benmanes.caffeine.cache.Cache<String, ModelRows> modelRows =
      com.github.benmanes.caffeine.cache.Caffeine.newBuilder().maximumWeight(MODEL_ROWS_BYTES)
          .<String, ModelRows>weigher((model, rows) -> 256 + rows.rows().size() * 1024).build();

  /** A model's rows, read at {@code version}. */
  private record ModelRows(long version, List<StatsRow> rows) {}

  /**
   * One model's rows matching a filter. {@code current}: they are this instance's kept rows of the
   * model at {@code version} of {@link RowChanges}, so an answer made from them alone holds until
   * that version moves; otherwise (a peer's answer, a standby's or a restoring store's) nothing
   * made from them may be kept.
   */
  public record ModelStats(List<StatsRow> rows, long version, boolean current) {}

  /** The version of rows another instance sent: no version of {@link RowChanges}, which start at 0 and only grow. */
  static final long NO_VERSION = -1;

  /**
   * Each partition's tallies of models and GPUs (what {@code /models} and {@code /gpus} show, kept by
   * the stream), read again only after a row changed on this instance, and then at most once a
   * second: every open home page asks for them every few seconds.
   */
  private final Map<Integer, SeenShare> seenShares = new java.util.concurrent.ConcurrentHashMap<>();
  static final long SEEN_MAX_AGE_NANOS = java.time.Duration.ofSeconds(1).toNanos();

  private record SeenShare(long version, long readAt, Seen seen) {}

  /**
   * The last merge of the partitions' shares: with 10,000 models it copies every tally, and every
   * open home page asks for it every few seconds.
   */
  private volatile MergedSeen mergedSeen;

  private record MergedSeen(List<Seen> shares, Map<String, Long> gpuRigs, Seen all) {
    boolean isOf(List<Seen> others, Map<String, Long> rigs) {
      if (others.size() != shares.size() || !rigs.equals(gpuRigs)) {
        return false;
      }
      for (int i = 0; i < shares.size(); i++) {
        if (others.get(i) != shares.get(i)) {
          return false;
        }
      }
      return true;
    }
  }

  private record Routes(long readAt, Map<Integer, HostInfo> active, Map<Integer, List<HostInfo>> standbys) {}

  /**
   * @param self this instance's internal listener, as advertised in {@code application.server}
   * @param partitions partitions of the aggregate's input topic, as checked at start
   * @param changes where the stream tells which models' rows changed on this instance
   */
  public QueryService(KafkaStreams streams, HostInfo self, int partitions, RowChanges changes) {
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be at least 1, not " + partitions);
    }
    this.streams = streams;
    this.self = self;
    this.partitions = partitions;
    this.changes = changes;
    this.local = new LocalStores(streams);
  }

  // ---- answers, from whichever instance holds each partition ----

  /** Rows matching the filter. */
  public List<StatsRow> stats(StatsFilter filter, Freshness freshness) {
    if (filter.model() != null) {
      return modelStats(filter, freshness).rows();
    }
    return gather(allPartitions(), freshness, (p, f) -> localStats(filter, Set.of(p), f), remoteStats(filter));
  }

  /** Rows matching a filter that names a model, and whether they are this instance's current ones. */
  public ModelStats modelStats(StatsFilter filter, Freshness freshness) {
    AtomicReference<ModelRows> local = new AtomicReference<>();
    List<StatsRow> rows = gather(Set.of(partitionOf(filter.model())), freshness, (p, f) -> {
      ModelRows read = modelRows(filter.model(), p, f);
      local.set(read);
      return matching(read, filter);
    }, remoteStats(filter));
    // One partition: when the local read returned, it is the answer; when a peer answered, local is unset.
    // Only a fresh local read is current (readAndKeep keeps nothing else).
    ModelRows read = local.get();
    return read == null ? new ModelStats(rows, NO_VERSION, false) : new ModelStats(rows, read.version(), !freshness.isStale());
  }

  /**
   * The version of {@link RowChanges} a kept answer about this model must have been read at to
   * hold now; refused like any query while the instance cannot answer.
   */
  long version(String model) {
    requireQueryable();
    return changes.version(model);
  }

  private RemoteRead<StatsRow> remoteStats(StatsFilter filter) {
    return (host, ps, f) -> RowJson.statsRows(peers.get(host, PEER_PREFIX + "/stats", ps, filter.asParameters(), f));
  }

  private static List<StatsRow> matching(ModelRows rows, StatsFilter filter) {
    return rows.rows().stream().filter(r -> filter.matches(r.getKey())).toList();
  }

  /** The community view of one model: per GPU, its best-supported setup. */
  public List<CommunityRow> community(String model, Freshness freshness) {
    return gather(Set.of(partitionOf(model)), freshness, (p, f) -> localCommunity(model, Set.of(p), f),
        (host, ps, f) -> RowJson.communityRows(peers.get(host, PEER_PREFIX + "/community", ps, Map.of("model", model), f)));
  }

  /** Per-rig medians of one key, sorted: the distribution behind a row. */
  public double[] rigMedians(StatsFilter exact, Freshness freshness) {
    List<Double> medians = gather(Set.of(partitionOf(exact.model())), freshness, (p, f) -> localRigMedians(exact, Set.of(p), f),
        (host, ps, f) -> {
          List<Double> values = new ArrayList<>();
          peers.get(host, PEER_PREFIX + "/distribution", ps, exact.asParameters(), f).path("rigMedians").forEach(v -> values.add(v.asDouble()));
          return values;
        });
    return medians.stream().mapToDouble(Double::doubleValue).sorted().toArray();
  }

  /**
   * Models and GPUs seen, each with its rows, reports and distinct rigs. The same object as last
   * time while every partition's share and every GPU's rig count is: only this instance's kept
   * shares come back as the same objects (a peer's or a stale copy's share is new at every read),
   * so the merge, and what is rendered from it, is redone only after a share was read again.
   */
  public Seen seen(Freshness freshness) {
    List<Seen> shares = gather(allPartitions(), freshness, (p, f) -> List.of(localSeen(Set.of(p), f)),
        (host, ps, f) -> List.of(Seen.fromJson(peers.get(host, PEER_PREFIX + "/seen", ps, Map.of(), f))));
    Map<String, Long> gpuRigs = gpuRigs();
    MergedSeen last = mergedSeen;
    if (last != null && last.isOf(shares, gpuRigs)) {
      return last.all();
    }
    Seen all = Seen.merge(shares, gpuRigs);
    mergedSeen = new MergedSeen(shares, gpuRigs, all);
    return all;
  }

  /** Each GPU's distinct rigs over every partition: a global store, so this instance has every GPU. */
  private Map<String, Long> gpuRigs() {
    return globalStore(AggregatorTopology.GPU_RIGS_STORE, "the GPUs' rig counts are still being loaded");
  }

  /** The estimator's calibration: a global store, so this instance has every group. */
  public Map<String, CalibrationRecord> calibration() {
    return globalStore(AggregatorTopology.CALIBRATION_STORE, "the calibration is still being loaded");
  }

  /** Everything in a global store, which every instance holds whole. */
  private <V> Map<String, V> globalStore(String name, String whileLoading) {
    requireQueryable();
    Map<String, V> entries = new TreeMap<>();
    try {
      ReadOnlyKeyValueStore<String, V> store = streams.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.keyValueStore()));
      try (KeyValueIterator<String, V> all = store.all()) {
        all.forEachRemaining(kv -> entries.put(kv.key, kv.value));
      }
    } catch (InvalidStateStoreException e) {
      throw new NotReadyException(whileLoading);
    }
    return entries;
  }

  // ---- this instance's share, for its peers ----

  List<StatsRow> localStats(StatsFilter filter, Set<Integer> partitions, Freshness freshness) {
    if (filter.model() != null && partitions.size() == 1) {
      return matching(modelRows(filter.model(), partitions.iterator().next(), freshness), filter);
    }
    List<StatsRow> rows = new ArrayList<>();
    for (int p : partitions) {
      local.<StatsRow, Void>read(AggregatorTopology.STATS_STORE, p, freshness, store -> {
        try (KeyValueIterator<String, StatsRow> it = filter.model() != null
            ? store.prefixScan(StatsKeys.modelPrefix(filter.model()), Serdes.String().serializer())
            : store.all()) {
          it.forEachRemaining(kv -> {
            if (filter.matches(kv.value.getKey())) {
              rows.add(kv.value);
            }
          });
        }
        return null;
      });
    }
    return rows;
  }

  private ModelRows modelRows(String model, int partition, Freshness freshness) {
    long version = changes.version(model); // before the read: a change after it makes this answer a miss next time
    ModelRows known = modelRows.getIfPresent(model);
    if (known != null && known.version() == version) {
      return known;
    }
    return readAndKeep(freshness, read -> {
      List<StatsRow> rows = local.<StatsRow, List<StatsRow>>read(AggregatorTopology.STATS_STORE, partition, read, store -> {
        List<StatsRow> all = new ArrayList<>();
        try (KeyValueIterator<String, StatsRow> it = store.prefixScan(StatsKeys.modelPrefix(model), Serdes.String().serializer())) {
          it.forEachRemaining(kv -> all.add(kv.value));
        }
        return List.copyOf(all);
      });
      return new ModelRows(version, rows);
    }, rows -> modelRows.put(model, rows));
  }

  /**
   * Reads an answer and keeps it for the next query, unless it came from a copy that is not this
   * instance's running task: a standby's store changes with no word from the stream.
   */
  private static <T> T readAndKeep(Freshness freshness, java.util.function.Function<Freshness, T> read, java.util.function.Consumer<T> keep) {
    Freshness thisRead = new Freshness();
    T answer = read.apply(thisRead);
    if (thisRead.isStale()) {
      freshness.stale(thisRead.lagRecords());
    } else {
      keep.accept(answer);
    }
    return answer;
  }

  List<CommunityRow> localCommunity(String model, Set<Integer> partitions, Freshness freshness) {
    List<CommunityRow> rows = new ArrayList<>();
    for (int p : partitions) {
      local.<CommunityRow, Void>read(AggregatorTopology.COMMUNITY_STORE, p, freshness, store -> {
        try (KeyValueIterator<String, CommunityRow> it = store.prefixScan(RollUpProcessor.communityPrefix(model), Serdes.String().serializer())) {
          it.forEachRemaining(kv -> rows.add(kv.value));
        }
        return null;
      });
    }
    return rows;
  }

  List<Double> localRigMedians(StatsFilter exact, Set<Integer> partitions, Freshness freshness) {
    List<Double> medians = new ArrayList<>();
    String prefix = RigContributions.keyPrefix(StatsKeys.encode(exact.toKey()));
    for (int p : partitions) {
      local.<RigContribution, Void>read(AggregatorTopology.CONTRIBUTIONS_STORE, p, freshness, store -> {
        try (KeyValueIterator<String, RigContribution> it = store.prefixScan(prefix, Serdes.String().serializer())) {
          it.forEachRemaining(kv -> medians.add(StatsCalculator.rigGenerationMedian(kv.value)));
        }
        return null;
      });
    }
    return medians;
  }

  Seen localSeen(Set<Integer> partitions, Freshness freshness) {
    if (partitions.size() != 1) {
      return readSeen(partitions, freshness);
    }
    int partition = partitions.iterator().next();
    long version = changes.anyVersion();
    long now = System.nanoTime();
    SeenShare known = seenShares.get(partition);
    if (known != null && (known.version() == version || now - known.readAt() < SEEN_MAX_AGE_NANOS)) {
      return known.seen();
    }
    return readAndKeep(freshness, read -> readSeen(partitions, read), seen -> seenShares.put(partition, new SeenShare(version, now, seen)));
  }

  private Seen readSeen(Set<Integer> partitions, Freshness freshness) {
    Seen seen = new Seen(new TreeMap<>(), new TreeMap<>());
    for (int p : partitions) {
      local.<Tally, Void>read(AggregatorTopology.TALLIES_STORE, p, freshness, store -> {
        try (KeyValueIterator<String, Tally> it = store.all()) {
          it.forEachRemaining(kv -> seen.add(kv.key, new Seen.Tally(kv.value.getRows(), kv.value.getReports(), kv.value.getRigs())));
        }
        return null;
      });
    }
    return seen;
  }

  // ---- state ----

  /** Kafka Streams answers store queries in these states only. */
  static boolean queryable(KafkaStreams.State state) {
    return state == KafkaStreams.State.RUNNING || state == KafkaStreams.State.REBALANCING;
  }

  private void requireQueryable() {
    if (!queryable(streams.state())) {
      throw new NotReadyException("the aggregator is starting or stopping");
    }
  }

  // ---- routing ----

  /** Reads one partition of this instance's stores. */
  @FunctionalInterface
  private interface LocalRead<T> {
    List<T> read(int partition, Freshness freshness);
  }

  /** Asks one peer for several partitions at once. */
  @FunctionalInterface
  private interface RemoteRead<T> {
    List<T> read(HostInfo host, Set<Integer> partitions, Freshness freshness);
  }

  private <T> List<T> gather(Set<Integer> partitions, Freshness freshness, LocalRead<T> localRead, RemoteRead<T> remoteRead) {
    long giveUpAt = System.nanoTime() + SETTLE_NANOS;
    Map<Integer, Deque<HostInfo>> copies = copies(partitions, false);
    List<T> answer = new ArrayList<>();
    Set<Integer> pending = new TreeSet<>(partitions);
    while (!pending.isEmpty()) {
      Map<HostInfo, Set<Integer>> byHost = new LinkedHashMap<>();
      for (int p : pending) {
        byHost.computeIfAbsent(copies.get(p).peekFirst(), h -> new TreeSet<>()).add(p);
      }
      boolean exhausted = false;
      for (Map.Entry<HostInfo, Set<Integer>> ask : byHost.entrySet()) {
        if (ask.getKey().equals(self)) {
          for (int p : ask.getValue()) {
            try {
              answer.addAll(localRead.read(p, freshness));
              pending.remove(p);
            } catch (PartitionUnavailable e) {
              exhausted |= nextCopy(copies, p, e);
            }
          }
        } else {
          try {
            answer.addAll(remoteRead.read(ask.getKey(), ask.getValue(), freshness));
            pending.removeAll(ask.getValue());
          } catch (PartitionUnavailable e) {
            for (int p : ask.getValue()) {
              exhausted |= nextCopy(copies, p, e);
            }
          }
        }
      }
      if (exhausted) {
        // Every known copy of a partition failed: a task is between owners for a moment. Look again.
        if (System.nanoTime() > giveUpAt) {
          throw new NotReadyException("part of the tables is moving between instances");
        }
        sleep();
        copies = copies(pending, true);
      }
    }
    return answer;
  }

  /** Drops the copy that failed; true when none is left. */
  private static boolean nextCopy(Map<Integer, Deque<HostInfo>> copies, int partition, PartitionUnavailable why) {
    Deque<HostInfo> left = copies.get(partition);
    HostInfo failed = left.pollFirst();
    log.debug("Partition {} not served by {}: {}", partition, failed, why.getMessage());
    if (left.isEmpty()) {
      left.add(failed); // keeps the map well-formed until the copies are looked up again
      return true;
    }
    return false;
  }

  private static void sleep() {
    try {
      Thread.sleep(100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new NotReadyException("interrupted");
    }
  }

  /** Every copy of each partition: the active instance first, then the standbys (this instance's first). */
  private Map<Integer, Deque<HostInfo>> copies(Set<Integer> partitions, boolean fresh) {
    requireQueryable();
    Routes known = routes;
    if (fresh || known == null || System.nanoTime() - known.readAt() > ROUTES_NANOS) {
      known = readRoutes();
      routes = known;
    }
    Map<Integer, HostInfo> active = known.active();
    Map<Integer, List<HostInfo>> standbys = known.standbys();
    Map<Integer, Deque<HostInfo>> copies = new HashMap<>();
    for (int p : partitions) {
      Deque<HostInfo> order = new ArrayDeque<>();
      if (active.containsKey(p)) {
        order.add(active.get(p));
      }
      standbys.getOrDefault(p, List.of()).stream().sorted((a, b) -> Boolean.compare(!a.equals(self), !b.equals(self))).forEach(order::add);
      if (order.isEmpty()) {
        order.add(self); // not in the metadata yet: this instance may already hold it, else the caller looks again
      }
      copies.put(p, order);
    }
    return copies;
  }

  private Routes readRoutes() {
    Map<Integer, HostInfo> active = new HashMap<>();
    Map<Integer, List<HostInfo>> standbys = new HashMap<>();
    for (StreamsMetadata metadata : streams.streamsMetadataForStore(AggregatorTopology.STATS_STORE)) {
      for (TopicPartition tp : metadata.topicPartitions()) {
        if (tp.topic().equals(Topics.CONTRIBUTIONS)) {
          active.put(tp.partition(), metadata.hostInfo());
        }
      }
      for (TopicPartition tp : metadata.standbyTopicPartitions()) {
        if (tp.topic().equals(Topics.CONTRIBUTIONS)) {
          standbys.computeIfAbsent(tp.partition(), p -> new ArrayList<>()).add(metadata.hostInfo());
        }
      }
    }
    return new Routes(System.nanoTime(), active, standbys);
  }

  /** Every partition of the aggregate stores. */
  private Set<Integer> allPartitions() {
    requireQueryable();
    int seen = streams.streamsMetadataForStore(AggregatorTopology.STATS_STORE).stream()
        .flatMap(m -> java.util.stream.Stream.concat(m.topicPartitions().stream(), m.standbyTopicPartitions().stream()))
        .filter(tp -> tp.topic().equals(Topics.CONTRIBUTIONS)).mapToInt(tp -> tp.partition() + 1).max().orElse(0);
    int count = Math.max(seen, knownPartitions);
    knownPartitions = count;
    if (count == 0) {
      throw new NotReadyException("no partition is assigned yet");
    }
    return IntStream.range(0, count).boxed().collect(Collectors.toCollection(TreeSet::new));
  }

  private int partitionOf(String model) {
    requireQueryable();
    return ContributionPartitioner.partitionOf(model, partitions); // no call into Kafka Streams, whose metadata is behind a lock
  }


  /**
   * Per model and per GPU: statistics rows, reports and distinct rigs. A partition's share counts
   * the rigs it holds; the whole counts each rig once ({@link #merge}).
   */
  public record Seen(Map<String, Tally> models, Map<String, Tally> gpus) {
    /** One model's or GPU's rows, reports and rigs (a rig counts once however many rows it is in). */
    public record Tally(long rows, long reports, long rigs) {
      Tally plus(Tally other) {
        return new Tally(rows + other.rows, reports + other.reports, rigs + other.rigs);
      }
    }

    /** Adds a tally of the tallies store under its store key. */
    void add(String storeKey, Tally tally) {
      (PartitionTallies.isModel(storeKey) ? models : gpus).merge(PartitionTallies.idOf(storeKey), tally, Tally::plus);
    }

    /**
     * The shares together. A model lives in one partition, so its tallies add up; so do a GPU's
     * rows and reports, but not its rigs (one rig measures models in many partitions): those are
     * the count kept across partitions by GPU.
     */
    static Seen merge(List<Seen> shares, Map<String, Long> gpuRigs) {
      Seen all = new Seen(new TreeMap<>(), new TreeMap<>());
      for (Seen share : shares) {
        share.models.forEach((k, v) -> all.models.merge(k, v, Tally::plus));
        share.gpus.forEach((k, v) -> all.gpus.merge(k, v, Tally::plus));
      }
      all.gpus.replaceAll((gpu, t) -> new Tally(t.rows(), t.reports(), gpuRigs.getOrDefault(gpu, 0L)));
      return all;
    }

    static Seen fromJson(JsonNode node) {
      return new Seen(tallies(node.path("models")), tallies(node.path("gpus")));
    }

    private static Map<String, Tally> tallies(JsonNode node) {
      Map<String, Tally> tallies = new TreeMap<>();
      node.fields().forEachRemaining(e ->
          tallies.put(e.getKey(), new Tally(e.getValue().path("rows").asLong(), e.getValue().path("reports").asLong(), e.getValue().path("rigs").asLong())));
      return tallies;
    }
  }
}
