package io.tokbench.aggregator.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokbench.aggregator.estimate.Evaluation;
import io.tokbench.aggregator.query.RowJson;
import io.tokbench.catalog.GpuCatalog;
import io.tokbench.catalog.ModelCatalog;
import io.tokbench.schema.StatsRow;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code evaluate}: leave-one-GPU-out accuracy of the estimator, prior and calibrated side by side. */
@Command(
    name = "evaluate",
    mixinStandardHelpOptions = true,
    description = {
      "Leave-one-GPU-out cross-validation of the estimator: for each GPU in the current statistics, calibrates on every other GPU's rows and predicts this GPU's single-user medians. Prints the median absolute percentage error and the share of predictions within ±20 %, for the uncalibrated prior and for the calibrated estimator side by side.",
      "%nExample: stream-aggregator evaluate --api http://localhost:8080"
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:evaluated", "1:the aggregator could not be reached, or no row can be predicted", "2:bad option"})
final class EvaluateCommand implements Callable<Integer> {
  @Mixin ApiOption api;

  @Override
  public Integer call() {
    try {
      List<StatsRow> rows = new ArrayList<>();
      for (JsonNode node : api.client().get("/api/v1/export?format=json")) {
        rows.add(RowJson.stats(node));
      }
      Evaluation.Result result = Evaluation.leaveOneGpuOut(rows, GpuCatalog.shared(), ModelCatalog.shared());
      if (result.rows() == 0) {
        System.err.println("evaluate: none of the " + rows.size() + " statistics rows is single-user, fully on a catalog GPU, with a known file size");
        return 1;
      }
      System.out.printf(Locale.ROOT, "leave-one-GPU-out over %d rows on %d GPUs (single-user generation tok/s)%n", result.rows(), result.gpus());
      System.out.printf(Locale.ROOT, "%-12s %12s %14s%n", "estimator", "median APE", "within ±20 %");
      print("prior", result.prior());
      print("calibrated", result.calibrated());
      return 0;
    } catch (IOException e) {
      System.err.println("evaluate: " + e.getMessage());
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    }
  }

  private static void print(String name, Evaluation.Score score) {
    System.out.printf(Locale.ROOT, "%-12s %11.1f %% %12.0f %%%n", name, score.medianAbsolutePercentageError(), score.shareWithin20Percent());
  }
}
