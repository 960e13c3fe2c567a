package io.tokbench.agent.detect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tokbench.schema.GpuVendor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Apple silicon from {@code system_profiler SPDisplaysDataType -json} ({@code sppci_model} such as
 * "Apple M2 Max", {@code sppci_cores} as a string; early M1 releases name the item
 * {@code kHW_AppleM1Item} but keep {@code sppci_model}) and {@code sysctl} for the chip, cores and
 * unified memory. The GPU core count is what tells an M2 Max with 30 cores from one with 38, whose
 * memory bandwidth differs.
 */
public final class AppleSilicon {
  public static final List<String> SYSTEM_PROFILER = List.of("system_profiler", "SPDisplaysDataType", "-json");
  public static final List<String> SYSCTL = List.of("sysctl", "-n", "machdep.cpu.brand_string", "hw.memsize", "hw.physicalcpu", "hw.logicalcpu");
  private static final ObjectMapper JSON = new ObjectMapper();

  private AppleSilicon() {}

  /** The values {@link #SYSCTL} prints, one per line, in order. */
  public record Sysctl(Optional<String> brand, OptionalLong memoryBytes, OptionalInt physicalCpus, OptionalInt logicalCpus) {
    public static Sysctl parse(String output) {
      String[] lines = output.strip().split("\\R");
      return new Sysctl(
          lines.length > 0 && !lines[0].isBlank() ? Optional.of(lines[0].trim()) : Optional.empty(),
          lines.length > 1 ? parseLong(lines[1]) : OptionalLong.empty(),
          lines.length > 2 ? toInt(parseLong(lines[2])) : OptionalInt.empty(),
          lines.length > 3 ? toInt(parseLong(lines[3])) : OptionalInt.empty());
    }
  }

  /** GPUs in the profiler output; unified memory (from sysctl) is their VRAM. */
  public static List<DetectedGpu> gpus(String systemProfilerJson, OptionalLong unifiedMemory) {
    List<DetectedGpu> gpus = new ArrayList<>();
    JsonNode root;
    try {
      root = JSON.readTree(systemProfilerJson);
    } catch (IOException e) {
      return gpus;
    }
    if (root == null) {
      return gpus;
    }
    for (JsonNode item : root.path("SPDisplaysDataType")) {
      String model = item.path("sppci_model").asText("");
      if (model.isEmpty()) {
        continue;
      }
      boolean apple = item.path("spdisplays_vendor").asText("").contains("Apple") || model.startsWith("Apple");
      OptionalInt cores = toInt(parseLong(item.path("sppci_cores").asText("")));
      gpus.add(DetectedGpu.of(apple ? GpuVendor.APPLE : Rig.vendorOf(model), model, apple ? unifiedMemory : OptionalLong.empty(), Optional.empty(), 1, cores));
    }
    return gpus;
  }

  private static OptionalLong parseLong(String text) {
    try {
      return OptionalLong.of(Long.parseLong(text.trim()));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  private static OptionalInt toInt(OptionalLong value) {
    return value.isPresent() ? OptionalInt.of((int) value.getAsLong()) : OptionalInt.empty();
  }
}
