package io.tokbench.agent.probe;

/** Progress of a probe run, for the terminal's progress bars. */
public interface ProbeListener {
  /** A phase starts: "warm-up", "repetitions", "concurrency 4", with its number of steps. */
  void phase(String model, int contextLength, String phase, int steps);

  /** One step of the current phase finished. */
  void step();

  /** A note worth showing the user (a retry, a flag raised). */
  default void note(String message) {}

  ProbeListener SILENT = new ProbeListener() {
    @Override
    public void phase(String model, int contextLength, String phase, int steps) {}

    @Override
    public void step() {}
  };
}
