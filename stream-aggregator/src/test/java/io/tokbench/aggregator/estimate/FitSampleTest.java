package io.tokbench.aggregator.estimate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.junit.jupiter.api.Test;

class FitSampleTest {
  private static KeyValueIterator<String, String> over(List<String> keys) {
    Iterator<String> it = keys.iterator();
    return new KeyValueIterator<>() {
      @Override public boolean hasNext() { return it.hasNext(); }
      @Override public KeyValue<String, String> next() { String k = it.next(); return KeyValue.pair(k, k); }
      @Override public void close() {}
      @Override public String peekNextKey() { throw new UnsupportedOperationException(); }
    };
  }

  private static List<String> rows(int n) {
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      keys.add(String.format("global\u001dmodel-%07d|nvidia-rtx-4090|Q4_K_M", i));
    }
    return keys;
  }

  @Test
  void aGroupWithinTheLimitIsFittedOnEveryPoint() {
    assertThat(FitSample.of(over(rows(500)), 1_000)).containsExactlyInAnyOrderElementsOf(rows(500));
  }

  @Test
  void aHugeGroupIsFittedOnAUniformSampleOfTheLimitThatDoesNotDependOnOrder() {
    List<String> all = rows(50_000);
    List<String> sample = FitSample.of(over(all), 10_000);
    assertThat(sample).hasSize(10_000);

    List<String> shuffled = new ArrayList<>(all);
    Collections.shuffle(shuffled, new Random(7));
    assertThat(FitSample.of(over(shuffled), 10_000)).as("the same rows whatever the scan order").isEqualTo(sample);

    long firstHalf = sample.stream().filter(k -> k.compareTo(all.get(25_000)) < 0).count();
    assertThat(firstHalf).as("uniform over the group, not the first rows of the scan").isBetween(4_700L, 5_300L);
  }

  @Test
  void aRowStaysInTheSampleWhileNoLowerRankingRowArrives() {
    List<String> before = FitSample.of(over(rows(20_000)), 5_000);
    List<String> after = FitSample.of(over(rows(20_001)), 5_000);
    List<String> lost = new ArrayList<>(before);
    lost.removeAll(after);
    assertThat(lost).as("one new row displaces at most one").hasSizeLessThanOrEqualTo(1);
  }
}
