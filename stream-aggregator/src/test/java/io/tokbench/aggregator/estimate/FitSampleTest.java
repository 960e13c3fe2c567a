package io.tokbench.aggregator.estimate;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokbench.aggregator.normalize.StatsKeys;
import io.tokbench.schema.OffloadClass;
import io.tokbench.schema.StatsKey;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.junit.jupiter.api.Test;

class FitSampleTest {
  private static List<String> rows(int n) {
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      keys.add(String.format("model-%07d|nvidia-rtx-4090|Q4_K_M", i));
    }
    return keys;
  }

  private static List<String> sample(List<String> rows, int limit) {
    return FitSample.of(rows, Function.identity(), limit);
  }

  @Test
  void aGroupWithinTheLimitIsFittedOnEveryPoint() {
    assertThat(sample(rows(500), 1_000)).containsExactlyElementsOf(rows(500));
  }

  @Test
  void aHugeGroupIsFittedOnAUniformSampleOfTheLimitThatDoesNotDependOnOrder() {
    List<String> all = rows(50_000);
    List<String> sample = sample(all, 10_000);
    assertThat(sample).hasSize(10_000);

    List<String> shuffled = new ArrayList<>(all);
    Collections.shuffle(shuffled, new Random(7));
    assertThat(sample(shuffled, 10_000)).as("the same rows whatever the order").isEqualTo(sample);

    long firstHalf = sample.stream().filter(k -> k.compareTo(all.get(25_000)) < 0).count();
    assertThat(firstHalf).as("uniform over the group, not its first rows").isBetween(4_700L, 5_300L);
  }

  @Test
  void aRowStaysInTheSampleWhileNoLowerRankingRowArrives() {
    List<String> before = sample(rows(20_000), 5_000);
    List<String> after = sample(rows(20_001), 5_000);
    List<String> lost = new ArrayList<>(before);
    lost.removeAll(after);
    assertThat(lost).as("one new row displaces at most one").hasSizeLessThanOrEqualTo(1);
  }

  /**
   * The calibration points store sorts a group's points by rank, so a refit reads only the first
   * points of its group: they must be a uniform sample of its setups, whatever the order the rows
   * arrived in, and keep each setup's rows at two depths together (the depth fit compares them).
   */
  @Test
  void theFirstPointsOfAGroupInTheStoreAreAUniformSampleOfSetupsWithEachSetupsRowsTogether() {
    TreeMap<String, String> store = new TreeMap<>(); // RocksDB's order: these keys are ASCII, so byte order is String order
    for (int i = 0; i < 20_000; i++) {
      for (String suite : List.of("llama-bench-pp512-tg128", "llama-bench-pp512-tg128-d8192")) {
        String key = StatsKeys.encode(new StatsKey("model-" + i, "nvidia-rtx-4090", 1, "Q4_K_M", "llama.cpp", 4096, suite, OffloadClass.FULL_GPU, 1, "CUDA"));
        store.put(CalibrateProcessor.storeKey("global", key), "model-" + i);
        store.put(CalibrateProcessor.storeKey("other", key), "other");
      }
    }

    List<String> first = FitSample.first(over(store.subMap("global" + CalibrateProcessor.SEPARATOR, "global" + (char) (CalibrateProcessor.SEPARATOR + 1))), 2_000);

    assertThat(first).hasSize(2_000).allMatch(model -> model.startsWith("model-"));
    Map<String, Long> rowsPerSetup = first.stream().collect(Collectors.groupingBy(m -> m, Collectors.counting()));
    assertThat(rowsPerSetup).hasSize(1_000).allSatisfy((setup, rows) -> assertThat(rows).as(setup).isEqualTo(2L));
    long firstHalf = rowsPerSetup.keySet().stream().filter(m -> Integer.parseInt(m.substring("model-".length())) < 10_000).count();
    assertThat(firstHalf).as("uniform over the setups, not the first models by name").isBetween(430L, 570L);
  }

  @Test
  void aKeyThisReleaseDidNotWriteIsRankedOnItsOwnRatherThanStoppingTheStreamThread() {
    assertThat(CalibrateProcessor.storeKey("global", "not\u001fa key")).matches("global\u001d[0-9a-f]{8}not\u001fa key");
    assertThat(CalibrateProcessor.storeKey("global", "")).matches("global\u001d[0-9a-f]{8}");
  }

  private static KeyValueIterator<String, String> over(Map<String, String> entries) {
    Iterator<Map.Entry<String, String>> it = entries.entrySet().iterator();
    return new KeyValueIterator<>() {
      @Override public boolean hasNext() { return it.hasNext(); }
      @Override public KeyValue<String, String> next() { Map.Entry<String, String> e = it.next(); return KeyValue.pair(e.getKey(), e.getValue()); }
      @Override public void close() {}
      @Override public String peekNextKey() { throw new UnsupportedOperationException(); }
    };
  }
}
