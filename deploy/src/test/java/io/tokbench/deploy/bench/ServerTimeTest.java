package io.tokbench.deploy.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The server-side latency line the benchmark prints from two scrapes of the query timer's buckets. */
class ServerTimeTest {
  private static TreeMap<Double, Double> buckets(double... cumulative) {
    double[] bounds = {0.0005, 0.001, 0.002, 0.005, 0.01, Double.POSITIVE_INFINITY};
    TreeMap<Double, Double> map = new TreeMap<>();
    for (int i = 0; i < bounds.length; i++) {
      map.put(bounds[i], cumulative[i]);
    }
    return map;
  }

  @Test
  void onlyTheQueriesOfThePhaseCountAndTheirBucketsGiveTheBounds() {
    // Before the phase 100 answers, all under 0.5 ms; during it 1,000 more: 600 under 0.5 ms,
    // 380 in 0.5–1 ms, 15 in 2–5 ms and 5 in 5–10 ms.
    TreeMap<Double, Double> before = buckets(100, 100, 100, 100, 100, 100);
    TreeMap<Double, Double> after = buckets(700, 1080, 1080, 1095, 1100, 1100);

    String line = ServerTime.describe(before, after);

    assertThat(line).contains("1,000 answers").contains("50 % within 0.5 ms").contains("99 % within 5 ms").contains("99.5 % within 5 ms");
  }

  @Test
  void aTailBeyondTheLargestBucketIsSaidSo() {
    TreeMap<Double, Double> before = buckets(0, 0, 0, 0, 0, 0);
    TreeMap<Double, Double> after = buckets(10, 10, 10, 10, 10, 1000);
    assertThat(ServerTime.describe(before, after)).contains("50 % within more than the largest bucket");
  }

  @Test
  void noCountedAnswerIsNotAZeroLatency() {
    assertThat(ServerTime.describe(new TreeMap<>(), new TreeMap<>())).contains("no answer counted");
  }
}
