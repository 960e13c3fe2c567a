package io.tokbench.agent.probe;

import java.util.OptionalDouble;

/** Samples GPU board power while the runtime generates, where the vendor tool can say. */
public interface PowerSampler {
  /** Starts sampling; the returned handle's {@code stop} gives the mean watts, if any sample came. */
  Sampling start();

  /** A running sampling. */
  interface Sampling {
    OptionalDouble stopAndAverageWatts();
  }

  PowerSampler NONE = () -> OptionalDouble::empty;
}
