package io.tokbench.agent.detect;

import java.util.HashSet;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

/** CPU, memory and distribution from Linux's /proc/cpuinfo, /proc/meminfo and /etc/os-release. */
public final class LinuxSystem {
  private LinuxSystem() {}

  /** Model name; physical cores as distinct (physical id, core id) pairs; threads as processors. */
  public static Rig.CpuInfo cpu(String cpuinfo) {
    Optional<String> model = Optional.empty();
    Set<String> cores = new HashSet<>();
    int threads = 0;
    String physicalId = "0";
    for (String line : cpuinfo.split("\\R")) {
      int colon = line.indexOf(':');
      if (colon < 0) {
        continue;
      }
      String key = line.substring(0, colon).trim();
      String value = line.substring(colon + 1).trim();
      switch (key) {
        case "processor" -> threads++;
        case "model name" -> model = model.or(() -> Optional.of(value));
        case "physical id" -> physicalId = value;
        case "core id" -> cores.add(physicalId + ":" + value);
        default -> { }
      }
    }
    return new Rig.CpuInfo(
        model,
        cores.isEmpty() ? (threads > 0 ? OptionalInt.of(threads) : OptionalInt.empty()) : OptionalInt.of(cores.size()),
        threads > 0 ? OptionalInt.of(threads) : OptionalInt.empty());
  }

  /** MemTotal, which /proc/meminfo gives in kB (KiB). */
  public static OptionalLong memoryBytes(String meminfo) {
    for (String line : meminfo.split("\\R")) {
      if (line.startsWith("MemTotal:")) {
        String[] parts = line.substring(9).trim().split("\\s+");
        try {
          return OptionalLong.of(Long.parseLong(parts[0]) * 1024L);
        } catch (NumberFormatException e) {
          return OptionalLong.empty();
        }
      }
    }
    return OptionalLong.empty();
  }

  /** PRETTY_NAME, e.g. "Ubuntu 24.04.1 LTS". */
  public static Optional<String> distribution(String osRelease) {
    for (String line : osRelease.split("\\R")) {
      if (line.startsWith("PRETTY_NAME=")) {
        return Optional.of(line.substring(12).replace("\"", "").trim()).filter(s -> !s.isEmpty());
      }
    }
    return Optional.empty();
  }
}
