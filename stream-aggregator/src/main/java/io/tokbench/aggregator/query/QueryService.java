package io.tokbench.aggregator.query;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokbench.aggregator.aggregate.RigContributions;
import io.tokbench.aggregator.aggregate.RollUpProcessor;
import io.tokbench.aggregator.aggregate.StatsCalculator;
import io.tokbench.aggregator.normalize.StatsKeys;
import io.tokbench.aggregator.state.RigContribution;
import io.tokbench.aggregator.topology.AggregatorTopology;
import io.tokbench.schema.CalibrationRecord;
import io.tokbench.schema.CommunityRow;
import io.tokbench.schema.StatsRow;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Answers queries from any instance. A model's rows live on the instance that owns its partition
 * (the contributions topic is keyed by model): queries about one model go there; queries across
 * models ask every instance for its share. While partitions move, answers are refused with
 * {@link NotReadyException} rather than given from a half-restored table.
 */
public final class QueryService {
  private final KafkaStreams streams;
  private final HostInfo self;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  public QueryService(KafkaStreams streams, HostInfo self) {
    this.streams = streams;
    this.self = self;
  }

  // ---- statistics rows ----

  /** Rows matching the filter, from every instance (or only this one's when {@code localOnly}). */
  public List<StatsRow> stats(StatsFilter filter, Map<String, String> rawParams, boolean localOnly) {
    if (localOnly) {
      return localStats(filter);
    }
    if (filter.model() != null) {
      HostInfo owner = owner(filter.model());
      return owner.equals(self) ? localStats(filter) : remoteRows(owner, "/api/v1/stats", rawParams);
    }
    List<StatsRow> rows = new ArrayList<>(localStats(filter));
    for (HostInfo peer : peers()) {
      rows.addAll(remoteRows(peer, "/api/v1/stats", rawParams));
    }
    return rows;
  }

  private List<StatsRow> localStats(StatsFilter filter) {
    ReadOnlyKeyValueStore<String, StatsRow> store = store(AggregatorTopology.STATS_STORE);
    List<StatsRow> rows = new ArrayList<>();
    try (KeyValueIterator<String, StatsRow> it = filter.model() != null
        ? store.prefixScan(StatsKeys.modelPrefix(filter.model()), Serdes.String().serializer())
        : store.all()) {
      it.forEachRemaining(kv -> {
        if (filter.matches(kv.value.getKey())) {
          rows.add(kv.value);
        }
      });
    }
    return rows;
  }

  /** The row of one exact key, wherever it lives: a single store read on its owner. */
  public Optional<StatsRow> row(StatsFilter exact, Map<String, String> rawParams, boolean localOnly) {
    HostInfo owner = localOnly ? self : owner(exact.model());
    if (!owner.equals(self)) {
      return remoteRows(owner, "/api/v1/stats", rawParams).stream().findFirst();
    }
    ReadOnlyKeyValueStore<String, StatsRow> store = store(AggregatorTopology.STATS_STORE);
    return Optional.ofNullable(store.get(StatsKeys.encode(exact.toKey())));
  }

  // ---- community view ----

  public List<CommunityRow> community(String model, boolean localOnly) {
    HostInfo owner = localOnly ? self : owner(model);
    if (!owner.equals(self)) {
      List<CommunityRow> rows = new ArrayList<>();
      for (JsonNode node : remote(owner, "/api/v1/community/" + encode(model), Map.of()).path("rows")) {
        rows.add(community(node));
      }
      return rows;
    }
    ReadOnlyKeyValueStore<String, CommunityRow> store = store(AggregatorTopology.COMMUNITY_STORE);
    List<CommunityRow> rows = new ArrayList<>();
    try (KeyValueIterator<String, CommunityRow> it = store.prefixScan(RollUpProcessor.communityPrefix(model), Serdes.String().serializer())) {
      it.forEachRemaining(kv -> rows.add(kv.value));
    }
    return rows;
  }

  private static CommunityRow community(JsonNode n) {
    return CommunityRow.newBuilder().setModel(n.get("model").asText()).setGpu(n.get("gpu").asText()).setGpuCount(n.get("gpuCount").asInt())
        .setMedianTokensPerSecond(n.get("medianTokensPerSecond").asDouble()).setReportCount(n.get("reportCount").asLong())
        .setRigCount(n.get("rigCount").asInt()).setTypicalSetup(n.get("typicalSetup").asText()).setQuantization(n.get("quant").asText())
        .setRuntime(n.get("runtime").asText()).setContextBucket(n.get("ctx").asInt()).setSuiteId(n.get("suite").asText())
        .setOffloadClass(n.get("offload").asText()).setConcurrency(n.get("concurrency").asInt()).build();
  }

  // ---- where a rate stands ----

  /** Per-rig medians of one key, sorted: the distribution behind a row. */
  public double[] rigMedians(StatsFilter exact, Map<String, String> rawParams, boolean localOnly) {
    HostInfo owner = localOnly ? self : owner(exact.model());
    if (!owner.equals(self)) {
      JsonNode values = remote(owner, "/api/v1/distribution", rawParams).path("rigMedians");
      double[] medians = new double[values.size()];
      for (int i = 0; i < medians.length; i++) {
        medians[i] = values.get(i).asDouble();
      }
      return medians;
    }
    ReadOnlyKeyValueStore<String, RigContribution> store = store(AggregatorTopology.CONTRIBUTIONS_STORE);
    List<Double> medians = new ArrayList<>();
    try (KeyValueIterator<String, RigContribution> it =
        store.prefixScan(RigContributions.keyPrefix(StatsKeys.encode(exact.toKey())), Serdes.String().serializer())) {
      it.forEachRemaining(kv -> medians.add(StatsCalculator.rigGenerationMedian(kv.value)));
    }
    return medians.stream().mapToDouble(Double::doubleValue).sorted().toArray();
  }

  // ---- catalogs of what has been seen ----

  /** Models (or GPUs) seen, with their number of rows, rigs summed over rows, and reports. */
  public Map<String, long[]> seen(Function<StatsRow, String> field) {
    Map<String, long[]> counts = new TreeMap<>();
    for (StatsRow row : stats(StatsFilter.from(Map.of()), Map.of(), false)) {
      long[] c = counts.computeIfAbsent(field.apply(row), k -> new long[3]);
      c[0]++;
      c[1] += row.getRigCount();
      c[2] += row.getReportCount();
    }
    return counts;
  }

  // ---- calibration ----

  /** The estimator's calibration: a global store, so this instance has every group. */
  public Map<String, CalibrationRecord> calibration() {
    Map<String, CalibrationRecord> groups = new TreeMap<>();
    ReadOnlyKeyValueStore<String, CalibrationRecord> store = store(AggregatorTopology.CALIBRATION_STORE);
    try (KeyValueIterator<String, CalibrationRecord> all = store.all()) {
      all.forEachRemaining(kv -> groups.put(kv.key, kv.value));
    }
    return groups;
  }

  // ---- plumbing ----

  /** The Streams application stopped for good (ERROR, or shutting down after one). */
  public boolean failed() {
    KafkaStreams.State state = streams.state();
    return state == KafkaStreams.State.ERROR || state == KafkaStreams.State.PENDING_ERROR;
  }

  public boolean ready() {
    return streams.state() == KafkaStreams.State.RUNNING;
  }

  private HostInfo owner(String model) {
    requireRunning();
    KeyQueryMetadata metadata = streams.queryMetadataForKey(AggregatorTopology.STATS_STORE, model, Serdes.String().serializer());
    if (metadata == null || metadata.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
      throw new NotReadyException("no instance owns " + model + " right now");
    }
    return metadata.activeHost();
  }

  private List<HostInfo> peers() {
    requireRunning();
    List<HostInfo> peers = new ArrayList<>();
    for (StreamsMetadata metadata : streams.streamsMetadataForStore(AggregatorTopology.STATS_STORE)) {
      if (!metadata.hostInfo().equals(self)) {
        peers.add(metadata.hostInfo());
      }
    }
    return peers;
  }

  private <T> ReadOnlyKeyValueStore<String, T> store(String name) {
    requireRunning();
    try {
      return streams.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<String, T>keyValueStore()));
    } catch (InvalidStateStoreException e) {
      throw new NotReadyException("store " + name + " is being restored or migrated: " + e.getMessage());
    }
  }

  private void requireRunning() {
    if (!ready()) {
      throw new NotReadyException("the aggregator is " + streams.state() + ", not RUNNING");
    }
  }

  private List<StatsRow> remoteRows(HostInfo host, String path, Map<String, String> params) {
    List<StatsRow> rows = new ArrayList<>();
    for (JsonNode node : remote(host, path, params).path("rows")) {
      rows.add(RowJson.stats(node));
    }
    return rows;
  }

  /** Asks another instance for its local share; an unreachable peer means the group is changing. */
  private JsonNode remote(HostInfo host, String path, Map<String, String> params) {
    StringBuilder query = new StringBuilder("?local=true&size=100000");
    params.forEach((k, v) -> {
      if (!k.equals("local") && !k.equals("page") && !k.equals("size")) {
        query.append('&').append(encode(k)).append('=').append(encode(v));
      }
    });
    URI uri = URI.create("http://" + host.host() + ":" + host.port() + path + query);
    try {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new NotReadyException("instance " + host + " answered " + response.statusCode() + " for " + path);
      }
      return RowJson.JSON.readTree(response.body());
    } catch (IOException e) {
      throw new NotReadyException("instance " + host + " is unreachable: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new NotReadyException("interrupted");
    }
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
