package io.tokbench.agent.cli;

import io.tokbench.schema.BenchmarkReport;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** The terminal summary, shaped like the community table. */
final class ResultsTable {
  private ResultsTable() {}

  static void print(List<BenchmarkReport> reports, PrintWriter out) {
    out.printf("%-28s %-8s %6s %4s %10s %12s %9s %8s  %s%n", "model", "quant", "ctx", "x", "gen tok/s", "prompt tok/s", "TTFT ms", "offload", "flags");
    for (BenchmarkReport r : reports) {
      List<String> flags = new ArrayList<>();
      if (r.getFlags().getNoisy()) {
        flags.add("noisy");
      }
      if (r.getFlags().getPromptTruncated()) {
        flags.add("prompt-truncated");
      }
      if (r.getFlags().getPartialOffload()) {
        flags.add("cpu/gpu-split");
      }
      Double prompt = r.getSummary().getPromptTokensPerSecondMedian();
      Double offload = r.getSettings().getGpuOffloadFraction();
      out.printf("%-28s %-8s %6d %4d %10.1f %12s %9.0f %8s  %s%n",
          r.getModel().getName(),
          r.getModel().getQuantization() == null ? "?" : r.getModel().getQuantization(),
          r.getSettings().getContextLength(),
          r.getSettings().getConcurrency(),
          r.getSummary().getGenerationTokensPerSecondMedian(),
          prompt == null ? "-" : String.format("%.0f", prompt),
          r.getSummary().getTimeToFirstTokenMillisMedian(),
          offload == null ? "?" : String.format("%.0f%%", offload * 100),
          flags.isEmpty() ? "" : String.join(",", flags));
    }
  }
}
