package io.tokbench.agent.detect;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Identical cards (same name and memory) become one entry with a count, as reports carry them. */
final class GpuGrouping {
  private GpuGrouping() {}

  static List<DetectedGpu> group(List<DetectedGpu> gpus) {
    Map<String, DetectedGpu> grouped = new LinkedHashMap<>();
    for (DetectedGpu gpu : gpus) {
      String key = gpu.rawName() + "|" + gpu.vramBytes() + "|" + gpu.gpuCores();
      grouped.merge(key, gpu, (a, b) -> a.withCount(a.count() + b.count()));
    }
    return new ArrayList<>(grouped.values());
  }
}
