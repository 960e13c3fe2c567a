package io.tokbench.aggregator.query;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.tokbench.schema.StatsRow;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * Answers about one model's rows, kept as the bytes sent until the model changes. Rendering a row
 * to JSON for every request allocated most of what a query did, and on two cores shared with the
 * stream threads the young collections that garbage cost were the API's p99. An answer is kept
 * only when it was made from this instance's current rows of the model ({@link QueryService.ModelStats#current()}),
 * with the {@link io.tokbench.aggregator.aggregate.RowChanges} version those rows were read at, so
 * it is dropped by exactly what drops the rows: a row of the model written here, or a task moving.
 * A peer's answer or a stale copy's is never kept, so a kept answer is never stale.
 */
final class KeptAnswers {
  /** How much heap the kept answers may take: a one-row answer is about 1 KiB. */
  static final long BYTES = 32L << 20;
  /** What a kept answer costs besides its body: the query's key, the entry, the array header. */
  private static final int ENTRY_BYTES = 256;

  private final ToLongFunction<String> versions;
  private final BiFunction<StatsFilter, Freshness, QueryService.ModelStats> reads;
  private final Cache<Object, Kept> answers = Caffeine.newBuilder().maximumWeight(BYTES)
      .<Object, Kept>weigher((query, kept) -> ENTRY_BYTES + kept.body().length).build();

  private record Kept(long version, byte[] body) {}

  KeptAnswers(QueryService queries) {
    this(queries::version, queries::modelStats);
  }

  /**
   * @param versions a model's current version ({@link QueryService#version})
   * @param reads a model's matching rows, as the uncached path reads them ({@link QueryService#modelStats})
   */
  KeptAnswers(ToLongFunction<String> versions, BiFunction<StatsFilter, Freshness, QueryService.ModelStats> reads) {
    this.versions = versions;
    this.reads = reads;
  }

  /**
   * The answer to a query about {@code filter}'s model: the kept bytes while the model's version is
   * the one they were made at, else rendered from the rows and kept when those are current.
   *
   * @param query the request's parameters as checked (a record: equal parameters, one answer)
   * @param render the answer's body from the matching rows, as the uncached path renders it
   */
  byte[] answer(StatsFilter filter, Object query, Freshness freshness, Function<List<StatsRow>, byte[]> render) {
    Kept kept = answers.getIfPresent(query);
    if (kept != null && kept.version() == versions.applyAsLong(filter.model())) {
      return kept.body();
    }
    QueryService.ModelStats read = reads.apply(filter, freshness);
    byte[] body = render.apply(read.rows());
    if (read.current()) {
      answers.put(query, new Kept(read.version(), body));
    }
    return body;
  }
}
