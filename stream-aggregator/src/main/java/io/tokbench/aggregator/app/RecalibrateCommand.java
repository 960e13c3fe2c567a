package io.tokbench.aggregator.app;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tokbench.aggregator.query.RowJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code recalibrate}: the current calibration as a JSON file a static website can load. */
@Command(
    name = "recalibrate",
    mixinStandardHelpOptions = true,
    description = {
      "Writes the estimator's current calibration as one JSON file a static website can load: every group's fitted overhead, bandwidth efficiency, KV-cache factor, runtime overhead, concurrency curve and prompt scale, with the rigs behind each, and the prior. The aggregator refits the groups continuously; this exports a snapshot.",
      "%nExample: stream-aggregator recalibrate --api http://localhost:8080 -o calibration.json"
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:written", "1:the aggregator could not be reached or the file not written", "2:bad option"})
final class RecalibrateCommand implements Callable<Integer> {
  @Mixin ApiOption api;

  @Option(names = {"-o", "--output"}, defaultValue = "calibration.json", description = "File to write (default: ${DEFAULT-VALUE}).")
  Path output;

  @Override
  public Integer call() {
    try {
      ObjectNode calibration = (ObjectNode) api.client().get("/api/v1/calibration");
      ObjectNode file = RowJson.JSON.createObjectNode().put("generatedAt", Instant.now().toString()).put("source", api.url);
      file.setAll(calibration);
      Files.writeString(output, RowJson.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(file) + "\n");
      System.out.printf("wrote %d calibration groups to %s%n", calibration.get("groups").size(), output);
      return 0;
    } catch (IOException e) {
      System.err.println("recalibrate: " + e.getMessage());
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    }
  }
}
