package io.tokbench.agent.detect;

import io.tokbench.schema.Backend;
import io.tokbench.schema.Cpu;
import io.tokbench.schema.Gpu;
import io.tokbench.schema.GpuVendor;
import io.tokbench.schema.Hardware;
import io.tokbench.schema.OperatingSystem;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * What the agent detected of the machine. Deliberately holds nothing that identifies it: no
 * hostname, user, address, MAC or serial number ever enters this record.
 */
public record Rig(List<DetectedGpu> gpus, CpuInfo cpu, OptionalLong ramBytes, OsInfo os, Optional<String> gpuInterconnect) {

  public Rig {
    gpus = List.copyOf(gpus);
  }

  /** A rig whose GPU interconnect is unknown or moot (one GPU). */
  public Rig(List<DetectedGpu> gpus, CpuInfo cpu, OptionalLong ramBytes, OsInfo os) {
    this(gpus, cpu, ramBytes, os, Optional.empty());
  }

  /** The host CPU; any field may be unknown. */
  public record CpuInfo(Optional<String> model, OptionalInt cores, OptionalInt threads) {}

  /** The operating system. */
  public record OsInfo(String name, Optional<String> version, Optional<String> kernel, String architecture) {}

  /** GPUs the runtime can use, summed over identical cards. */
  public int gpuCount() {
    return gpus.stream().mapToInt(DetectedGpu::count).sum();
  }

  /** The backend a runtime uses on this rig: Metal on macOS, else that of its first GPU, or CPU. */
  public Backend likelyBackend() {
    if (gpus.isEmpty()) {
      return Backend.CPU;
    }
    if (os.name().equals("macos")) {
      return Backend.METAL;
    }
    DetectedGpu first = gpus.get(0);
    if (first.spec().isPresent()) {
      return Backend.valueOf(first.spec().get().backend());
    }
    return switch (first.vendor()) {
      case NVIDIA -> Backend.CUDA;
      case AMD -> Backend.ROCM;
      case APPLE -> Backend.METAL;
      case INTEL -> Backend.SYCL;
      default -> Backend.UNKNOWN;
    };
  }

  public Hardware toHardware() {
    return Hardware.newBuilder()
        .setGpus(gpus.stream().map(Rig::toGpu).toList())
        .setCpu(Cpu.newBuilder()
            .setModel(cpu.model().orElse(null))
            .setCores(cpu.cores().isPresent() ? cpu.cores().getAsInt() : null)
            .setThreads(cpu.threads().isPresent() ? cpu.threads().getAsInt() : null)
            .build())
        .setRamBytes(ramBytes.isPresent() ? ramBytes.getAsLong() : null)
        .setGpuInterconnect(gpuInterconnect.orElse(null))
        .setOs(OperatingSystem.newBuilder()
            .setName(os.name())
            .setVersion(os.version().orElse(null))
            .setKernel(os.kernel().orElse(null))
            .setArchitecture(os.architecture())
            .build())
        .build();
  }

  private static Gpu toGpu(DetectedGpu gpu) {
    return Gpu.newBuilder()
        .setVendor(gpu.vendor())
        .setRawName(gpu.rawName())
        .setCanonicalId(gpu.spec().map(s -> s.id()).orElse(null))
        .setVramBytes(gpu.vramBytes().isPresent() ? gpu.vramBytes().getAsLong() : null)
        .setDriverVersion(gpu.driverVersion().orElse(null))
        .setCount(gpu.count())
        .build();
  }

  /** Convenience for tests and CPU-only machines. */
  public static GpuVendor vendorOf(String name) {
    String lower = name.toLowerCase(java.util.Locale.ROOT);
    if (lower.contains("nvidia") || lower.contains("geforce") || lower.contains("quadro") || lower.contains("tesla")) {
      return GpuVendor.NVIDIA;
    }
    if (lower.contains("amd") || lower.contains("radeon") || lower.contains("instinct")) {
      return GpuVendor.AMD;
    }
    if (lower.contains("apple")) {
      return GpuVendor.APPLE;
    }
    if (lower.contains("intel") || lower.matches(".*\\barc\\b.*")) {
      return GpuVendor.INTEL;
    }
    return GpuVendor.OTHER;
  }
}
