package io.tokbench.aggregator.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What the query side's kept answers rely on: a model's version moves whenever its rows may have. */
class RowChangesTest {
  private final RowChanges changes = new RowChanges();

  @Test
  void aChangedModelsVersionMovesAndAnswersThatReadEveryRowSeeIt() {
    long model = changes.version("llama-3.1-8b");
    long any = changes.anyVersion();

    changes.changed("llama-3.1-8b");

    assertThat(changes.version("llama-3.1-8b")).isGreaterThan(model);
    assertThat(changes.anyVersion()).isGreaterThan(any);
  }

  @Test
  void tasksMovingInOrOutMoveEveryModelsVersion() {
    long[] before = new long[1_000];
    for (int m = 0; m < before.length; m++) {
      before[m] = changes.version("model-" + m);
    }

    changes.tasksMoved();

    for (int m = 0; m < before.length; m++) {
      assertThat(changes.version("model-" + m)).isGreaterThan(before[m]);
    }
  }
}
