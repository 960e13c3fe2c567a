package io.tokbench.agent.cli;

import io.tokbench.agent.probe.ProbeListener;
import java.io.PrintWriter;

/**
 * A progress bar per phase with an ETA from the pace so far. On a terminal it redraws one line;
 * piped, it prints one line per finished phase so logs stay readable.
 */
final class ConsoleProgress implements ProbeListener {
  private static final int WIDTH = 24;
  private final PrintWriter err;
  private final boolean interactive;
  private String label = "";
  private int steps;
  private int done;
  private long started;

  ConsoleProgress(PrintWriter err, boolean interactive) {
    this.err = err;
    this.interactive = interactive;
  }

  @Override
  public void phase(String model, int contextLength, String phase, int phaseSteps) {
    label = String.format("%s @%s %-14s", model, contextLabel(contextLength), phase);
    steps = phaseSteps;
    done = 0;
    started = System.nanoTime();
    draw();
  }

  /** 8192 → "8K", 512 → "512", unknown (0) → "?". */
  private static String contextLabel(int tokens) {
    return tokens <= 0 ? "?" : tokens % 1024 == 0 ? tokens / 1024 + "K" : String.valueOf(tokens);
  }

  @Override
  public void step() {
    done++;
    draw();
    if (done == steps) {
      if (interactive) {
        err.println();
      } else {
        err.printf("%s done in %.1f s%n", label.trim(), (System.nanoTime() - started) / 1e9);
      }
      err.flush();
    }
  }

  @Override
  public void note(String message) {
    if (interactive) {
      err.println();
    }
    err.println("  note: " + message);
    err.flush();
  }

  private void draw() {
    if (!interactive) {
      return;
    }
    int filled = steps == 0 ? WIDTH : WIDTH * done / steps;
    String eta = "";
    if (done > 0 && done < steps) {
      double perStep = (System.nanoTime() - started) / 1e9 / done;
      eta = String.format(" ETA %ds", Math.round(perStep * (steps - done)));
    }
    err.printf("\r%s [%s%s] %d/%d%s   ", label, "#".repeat(filled), " ".repeat(WIDTH - filled), done, steps, eta);
    err.flush();
  }
}
