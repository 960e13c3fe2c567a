package io.tokbench.agent.residence;

import io.tokbench.agent.detect.HostProbe;
import io.tokbench.schema.Backend;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The GPU memory one process holds, as the vendor tools list compute processes: NVIDIA's
 * {@code nvidia-smi --query-compute-apps=pid,used_memory --format=csv,noheader,nounits} (one line
 * per process and GPU, MiB, {@code [N/A]} where the driver cannot tell, as under Windows WDDM) and
 * ROCm's {@code rocm-smi --showpids} (a "KFD process information:" table of PID, PROCESS NAME,
 * GPU(s), VRAM USED in bytes, SDMA USED, CU OCCUPANCY; UNKNOWN where the driver cannot tell).
 * Being listed says which backend the process computes with: CUDA on NVIDIA, HIP (ROCm) on AMD.
 * A Vulkan or Metal process is listed by neither, so it stays unknown here.
 *
 * @param bytes summed over the process's GPUs; empty when the tool lists the process without a figure
 */
public record GpuProcessMemory(Backend backend, OptionalLong bytes) {
  public static final List<String> NVIDIA_QUERY = List.of("nvidia-smi", "--query-compute-apps=pid,used_memory", "--format=csv,noheader,nounits");
  public static final List<String> ROCM_QUERY = List.of("rocm-smi", "--showpids");
  private static final long MIB = 1024L * 1024L;

  /** What the tools on this machine say of the process; empty when none lists it. */
  public static Optional<GpuProcessMemory> of(HostProbe host, long pid) {
    return host.run(NVIDIA_QUERY).flatMap(out -> fromNvidiaSmi(out, pid))
        .or(() -> host.run(ROCM_QUERY).flatMap(out -> fromRocmSmi(out, pid)));
  }

  static Optional<GpuProcessMemory> fromNvidiaSmi(String output, long pid) {
    return sum(output, pid, Backend.CUDA, ",", 1, MIB, false);
  }

  static Optional<GpuProcessMemory> fromRocmSmi(String output, long pid) {
    return sum(output, pid, Backend.ROCM, "\\s+", 3, 1, true);
  }

  /** Adds the process's lines; one line without a figure makes the sum unknown. */
  private static Optional<GpuProcessMemory> sum(String output, long pid, Backend backend, String separator, int column, long unit, boolean afterKfdHeader) {
    boolean inTable = !afterKfdHeader;
    boolean listed = false;
    boolean allKnown = true;
    long total = 0;
    for (String line : output.split("\\R")) {
      if (!inTable) {
        inTable = line.startsWith("KFD process information");
        continue;
      }
      String[] cells = line.trim().split(separator);
      if (cells.length <= column || !cells[0].trim().equals(Long.toString(pid))) {
        continue;
      }
      listed = true;
      OptionalLong amount = amount(cells[column], unit);
      if (amount.isEmpty()) {
        allKnown = false;
      } else {
        total += amount.getAsLong();
      }
    }
    if (!listed) {
      return Optional.empty();
    }
    return Optional.of(new GpuProcessMemory(backend, allKnown ? OptionalLong.of(total) : OptionalLong.empty()));
  }

  private static OptionalLong amount(String cell, long unit) {
    try {
      // "MiB" is there when the query is run without nounits.
      double value = Double.parseDouble(cell.trim().replaceFirst("(?i)\\s*MiB$", ""));
      return value >= 0 && value < Long.MAX_VALUE / (double) unit ? OptionalLong.of(Math.round(value * unit)) : OptionalLong.empty();
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }
}
