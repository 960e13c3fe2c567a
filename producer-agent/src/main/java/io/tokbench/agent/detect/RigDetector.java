package io.tokbench.agent.detect;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Detects the rig: GPUs from each vendor's tool (a missing tool is simply no GPUs of that vendor),
 * CPU, memory and OS. Nothing here fails on odd output: an unreadable value becomes unknown.
 */
public final class RigDetector {
  private final HostProbe host;

  public RigDetector(HostProbe host) {
    this.host = host;
  }

  public Rig detect() {
    String osName = osFamily(host.property("os.name"));
    String architecture = architecture(host.property("os.arch"));
    List<DetectedGpu> gpus = new ArrayList<>();
    host.run(NvidiaSmi.QUERY).ifPresent(out -> gpus.addAll(NvidiaSmi.gpus(out)));
    int nvidiaCards = gpus.stream().mapToInt(DetectedGpu::count).sum();
    Optional<String> interconnect = nvidiaCards > 1 ? host.run(NvidiaSmi.TOPOLOGY).flatMap(NvidiaSmi::interconnect) : Optional.empty();
    List<DetectedGpu> amd = host.run(AmdTools.AMD_SMI).map(AmdTools::fromAmdSmi).orElse(List.of());
    if (!amd.isEmpty()) {
      gpus.addAll(amd);
    } else {
      host.run(AmdTools.ROCM_SMI).ifPresent(out -> gpus.addAll(AmdTools.fromRocmSmi(out)));
    }

    if (osName.equals("macos")) {
      AppleSilicon.Sysctl sysctl = host.run(AppleSilicon.SYSCTL).map(AppleSilicon.Sysctl::parse)
          .orElse(new AppleSilicon.Sysctl(Optional.empty(), OptionalLong.empty(), OptionalInt.empty(), OptionalInt.empty()));
      host.run(AppleSilicon.SYSTEM_PROFILER).ifPresent(out -> gpus.addAll(AppleSilicon.gpus(out, sysctl.memoryBytes())));
      Optional<String> version = host.run(List.of("sw_vers", "-productVersion")).map(String::trim).filter(s -> !s.isEmpty());
      return new Rig(gpus, new Rig.CpuInfo(sysctl.brand(), sysctl.physicalCpus(), sysctl.logicalCpus()),
          sysctl.memoryBytes().isPresent() ? sysctl.memoryBytes() : jvmMemory(),
          new Rig.OsInfo(osName, version, host.run(List.of("uname", "-r")).map(String::trim).filter(k -> !k.isEmpty()), architecture));
    }

    Rig.CpuInfo cpu = host.read(Path.of("/proc/cpuinfo")).map(LinuxSystem::cpu)
        .orElse(new Rig.CpuInfo(Optional.empty(), OptionalInt.empty(), OptionalInt.of(Runtime.getRuntime().availableProcessors())));
    OptionalLong ram = host.read(Path.of("/proc/meminfo")).map(LinuxSystem::memoryBytes).orElse(OptionalLong.empty());
    Optional<String> version = osName.equals("linux")
        ? host.read(Path.of("/etc/os-release")).flatMap(LinuxSystem::distribution)
        : known(host.property("os.version"));
    Optional<String> kernel = osName.equals("linux") ? known(host.property("os.version")) : Optional.empty();
    return new Rig(gpus, cpu, ram.isPresent() ? ram : jvmMemory(), new Rig.OsInfo(osName, version, kernel, architecture), interconnect);
  }

  static String osFamily(String osName) {
    String lower = osName.toLowerCase(Locale.ROOT);
    if (lower.startsWith("linux")) {
      return "linux";
    }
    if (lower.startsWith("mac") || lower.startsWith("darwin")) {
      return "macos";
    }
    if (lower.startsWith("windows")) {
      return "windows";
    }
    return "other";
  }

  static String architecture(String arch) {
    return switch (arch.toLowerCase(Locale.ROOT)) {
      case "amd64", "x86_64" -> "x86_64";
      case "aarch64", "arm64" -> "aarch64";
      default -> arch.isEmpty() ? "unknown" : arch;
    };
  }

  private static Optional<String> known(String value) {
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(value);
  }

  private static OptionalLong jvmMemory() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      return OptionalLong.of(os.getTotalMemorySize());
    }
    return OptionalLong.empty();
  }
}
