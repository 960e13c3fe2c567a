package io.tokbench.agent.detect;

import io.tokbench.agent.probe.PowerSampler;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Samples total NVIDIA board power once a second while the probe generates. The sampling thread
 * sleeps between samples; nvidia-smi's own work happens in its process, not the agent's.
 */
public final class NvidiaPowerSampler implements PowerSampler {
  private final HostProbe host;

  public NvidiaPowerSampler(HostProbe host) {
    this.host = host;
  }

  @Override
  public Sampling start() {
    List<Double> samples = new ArrayList<>();
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread thread = new Thread(r, "power-sampler");
      thread.setDaemon(true);
      return thread;
    });
    timer.scheduleAtFixedRate(() -> host.run(NvidiaSmi.POWER_QUERY).map(NvidiaSmi::totalPowerDraw).ifPresent(w -> w.ifPresent(watts -> {
      synchronized (samples) {
        samples.add(watts);
      }
    })), 0, 1, TimeUnit.SECONDS);
    return () -> {
      timer.shutdownNow();
      synchronized (samples) {
        return samples.isEmpty() ? OptionalDouble.empty() : samples.stream().mapToDouble(Double::doubleValue).average();
      }
    };
  }
}
