package io.tokbench.agent.probe;

import io.tokbench.agent.detect.Rig;
import io.tokbench.schema.Backend;
import io.tokbench.schema.BackendSource;
import io.tokbench.schema.OffloadMethod;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * How much of the model sat in GPU memory, the backend that did the work, and how the agent knows
 * each: the report carries the method, so the aggregator and a reader can weigh the answer.
 *
 * @param fraction share of the model in GPU memory, when determined
 */
public record Offload(Optional<Double> fraction, OffloadMethod method, Backend backend, BackendSource backendSource) {

  /**
   * The runtime's own account of the loaded model (Ollama's /api/ps), else a rig without GPUs,
   * which can only have used the CPU, else what the runtime's process shows
   * ({@link ProcessOffload}); otherwise the fraction is unknown and the backend is the rig's usual one.
   */
  public static Offload determine(Rig rig, Optional<LoadedModel> loaded, Supplier<Optional<Offload>> fromProcess) {
    if (loaded.isPresent()) {
      double fraction = loaded.get().gpuOffloadFraction();
      return fraction <= 0
          ? new Offload(Optional.of(0.0), OffloadMethod.RUNTIME_REPORTED, Backend.CPU, BackendSource.NOT_ON_GPU)
          : new Offload(Optional.of(fraction), OffloadMethod.RUNTIME_REPORTED, rig.likelyBackend(), BackendSource.RIG_DEFAULT);
    }
    if (rig.gpus().isEmpty()) {
      return new Offload(Optional.of(0.0), OffloadMethod.NO_GPU, Backend.CPU, BackendSource.NOT_ON_GPU);
    }
    return fromProcess.get().orElseGet(() -> new Offload(Optional.empty(), OffloadMethod.UNKNOWN, rig.likelyBackend(), BackendSource.RIG_DEFAULT));
  }
}
