package io.tokbench.aggregator.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * When a kept answer is given instead of reading the rows again. The rows here come from a
 * function, since a stale copy (a standby or a restoring store answering while the active task is
 * gone) cannot be produced on demand with real brokers; {@code KeptAnswersIntegrationTest} covers
 * the kept answers of a running aggregator, and an answer read from another instance.
 */
class KeptAnswersTest {
  private static final StatsFilter MODEL = StatsFilter.from(java.util.Map.of("model", "raw:some-model"));

  private final AtomicLong version = new AtomicLong(7);
  private final AtomicInteger reads = new AtomicInteger();
  /** What the next read is: its rows current at the version, or not (a peer's, a stale copy's), and its lag when stale. */
  private boolean current = true;
  private long staleLag = -1;

  private final KeptAnswers kept = new KeptAnswers(model -> version.get(), (filter, freshness) -> {
    reads.incrementAndGet();
    if (staleLag >= 0) {
      freshness.stale(staleLag);
    }
    return new QueryService.ModelStats(List.of(), version.get(), current);
  });

  private String answer(Freshness freshness) {
    // The body says which read it was made from, so a kept one is told from a new one.
    return new String(kept.answer(MODEL, "the query", freshness, rows -> ("read " + reads.get()).getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
  }

  @Test
  void aCurrentAnswerIsKeptUntilTheModelsVersionMoves() {
    assertThat(answer(new Freshness())).isEqualTo("read 1");
    assertThat(answer(new Freshness())).isEqualTo("read 1");
    assertThat(reads).hasValue(1);
    version.incrementAndGet(); // the stream wrote a row of the model
    assertThat(answer(new Freshness())).isEqualTo("read 2");
    assertThat(answer(new Freshness())).isEqualTo("read 2");
  }

  @Test
  void aStaleAnswerIsNeverKeptSoEveryAnswerSaysHowStaleItIs() {
    current = false;
    staleLag = 42;
    Freshness first = new Freshness();
    assertThat(answer(first)).isEqualTo("read 1");
    assertThat(first.isStale()).isTrue();
    Freshness second = new Freshness();
    assertThat(answer(second)).as("read again, not the stale answer passed off as current").isEqualTo("read 2");
    assertThat(second.isStale()).isTrue();
    assertThat(second.lagRecords()).isEqualTo(42);

    // The copy caught up and the active task serves again: from then on the answer is kept.
    current = true;
    staleLag = -1;
    version.incrementAndGet();
    assertThat(answer(new Freshness())).isEqualTo("read 3");
    Freshness kept = new Freshness();
    assertThat(answer(kept)).isEqualTo("read 3");
    assertThat(kept.isStale()).isFalse();
  }

  @Test
  void anAnswerFromAnotherInstanceIsNeverKept() {
    current = false; // fresh, but this instance hears nothing when the other one's rows change
    answer(new Freshness());
    answer(new Freshness());
    assertThat(reads).hasValue(2);
  }
}
