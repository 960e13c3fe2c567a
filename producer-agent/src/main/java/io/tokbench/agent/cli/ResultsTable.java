package io.tokbench.agent.cli;

import io.tokbench.normalize.Normalization;
import io.tokbench.schema.BenchmarkReport;
import io.tokbench.schema.OffloadClass;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** The terminal summary, shaped like the community table. */
final class ResultsTable {
  private static final int MIN_MODEL_WIDTH = 20;
  private static final int MAX_MODEL_WIDTH = 48;

  private ResultsTable() {}

  static void print(List<BenchmarkReport> reports, PrintWriter out) {
    int width = Math.min(MAX_MODEL_WIDTH, Math.max(MIN_MODEL_WIDTH, reports.stream().mapToInt(r -> r.getModel().getName().length()).max().orElse(0)));
    String row = "%-" + width + "s %-8s %6s %6s %4s %10s %12s %9s %9s  %s%n";
    out.printf(row, "model", "quant", "ctx", "depth", "x", "gen tok/s", "prompt tok/s", "TTFT ms", "offload", "flags");
    for (BenchmarkReport r : reports) {
      Double prompt = r.getSummary().getPromptTokensPerSecondMedian();
      Double ttft = r.getSummary().getTimeToFirstTokenMillisMedian();
      Integer depth = r.getSettings().getGenerationDepthTokens();
      int context = r.getSettings().getContextLength();
      out.printf(row,
          fit(r.getModel().getName(), width),
          r.getModel().getQuantization() == null ? "?" : r.getModel().getQuantization(),
          context > 0 ? String.valueOf(context) : "?",
          depth == null ? "?" : String.valueOf(depth),
          r.getSettings().getConcurrency(),
          String.format("%.1f", r.getSummary().getGenerationTokensPerSecondMedian()),
          prompt == null ? "-" : String.format("%.0f", prompt),
          ttft == null ? "-" : String.format("%.0f", ttft),
          offload(r),
          String.join(",", flags(r)));
    }
  }

  /** Long names keep their end, where the size and quantization usually are. */
  private static String fit(String name, int width) {
    return name.length() <= width ? name : "…" + name.substring(name.length() - width + 1);
  }

  /** The offload class the aggregator will file the report under, so the two never disagree. */
  private static String offload(BenchmarkReport r) {
    OffloadClass offload = Normalization.offloadClass(r);
    Double fraction = r.getSettings().getGpuOffloadFraction();
    return switch (offload) {
      case CPU_ONLY -> "CPU";
      case FULL_GPU -> "GPU";
      case PARTIAL_OFFLOAD -> fraction == null ? "split" : String.format("GPU %.0f%%", fraction * 100);
      default -> "?";
    };
  }

  private static List<String> flags(BenchmarkReport r) {
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
    if (r.getFlags().getGenerationEndedEarly()) {
      flags.add("ended-early");
    }
    return flags;
  }
}
