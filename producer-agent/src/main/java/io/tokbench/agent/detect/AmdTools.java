package io.tokbench.agent.detect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tokbench.schema.GpuVendor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * AMD GPUs from {@code amd-smi static --json} (a top-level list in early releases, an object with
 * {@code gpu_data} later; VRAM as {@code vram_size_mb} or {@code size: {value, unit}}) or, on older
 * ROCm, {@code rocm-smi --showproductname --showmeminfo vram --showdriverversion --json} (keys
 * "Card series"/"Card model" in 5.x, "Card Series"/"Card Model" in 6.x; the model may be a PCI id
 * such as 0x744c). See producer-agent/src/test/resources/detect/SOURCES.md.
 */
public final class AmdTools {
  public static final List<String> AMD_SMI = List.of("amd-smi", "static", "--asic", "--vram", "--driver", "--json");
  public static final List<String> ROCM_SMI = List.of("rocm-smi", "--showproductname", "--showmeminfo", "vram", "--showdriverversion", "--json");
  private static final ObjectMapper JSON = new ObjectMapper();

  private AmdTools() {}

  public static List<DetectedGpu> fromAmdSmi(String output) {
    JsonNode root = tree(output);
    JsonNode list = root.isArray() ? root : root.path("gpu_data");
    List<DetectedGpu> gpus = new ArrayList<>();
    for (JsonNode gpu : list) {
      String name = gpu.path("asic").path("market_name").asText("");
      if (name.isEmpty()) {
        continue;
      }
      JsonNode vram = gpu.path("vram");
      OptionalLong bytes = megabytes(vram.has("size") ? vram.get("size") : vram.path("vram_size_mb"));
      JsonNode driver = gpu.path("driver");
      String version = driver.path("version").asText(driver.path("driver_version").asText(""));
      gpus.add(DetectedGpu.of(GpuVendor.AMD, name, bytes, version.isEmpty() ? Optional.empty() : Optional.of(version), 1, OptionalInt.empty()));
    }
    return GpuGrouping.group(gpus);
  }

  public static List<DetectedGpu> fromRocmSmi(String output) {
    JsonNode root = tree(output);
    String driver = field(root.path("system"), "Driver version").orElse("");
    List<DetectedGpu> gpus = new ArrayList<>();
    Iterator<Map.Entry<String, JsonNode>> cards = root.fields();
    while (cards.hasNext()) {
      Map.Entry<String, JsonNode> card = cards.next();
      if (!card.getKey().startsWith("card")) {
        continue;
      }
      JsonNode info = card.getValue();
      String name = productName(info);
      if (name.isEmpty()) {
        continue;
      }
      OptionalLong bytes = field(info, "VRAM Total Memory (B)").map(AmdTools::parseLong).orElse(OptionalLong.empty());
      gpus.add(DetectedGpu.of(GpuVendor.AMD, name, bytes, driver.isEmpty() ? Optional.empty() : Optional.of(driver), 1, OptionalInt.empty()));
    }
    return GpuGrouping.group(gpus);
  }

  /**
   * rocm-smi's series and model fields vary: one is a marketing name, the other a chip family or
   * a PCI id. Prefer whichever the catalog knows, else the first that is not a bare hex id; the
   * name is kept exactly as printed.
   */
  private static String productName(JsonNode info) {
    List<String> candidates = new ArrayList<>();
    for (String key : List.of("Card Series", "Card Model", "Marketing Name")) {
      field(info, key).ifPresent(candidates::add);
    }
    for (String candidate : candidates) {
      if (DetectedGpu.catalogMatch(GpuVendor.AMD, candidate, OptionalInt.empty(), OptionalLong.empty()).isPresent()) {
        return candidate;
      }
    }
    return candidates.stream().filter(c -> !c.toLowerCase(Locale.ROOT).startsWith("0x")).findFirst().orElse(candidates.isEmpty() ? "" : candidates.get(0));
  }

  /** A field by name, ignoring case (the key's capitalisation changed between ROCm releases). */
  private static Optional<String> field(JsonNode node, String name) {
    Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      if (field.getKey().equalsIgnoreCase(name) && !field.getValue().asText("").isBlank() && !field.getValue().asText().equals("N/A")) {
        return Optional.of(field.getValue().asText().trim());
      }
    }
    return Optional.empty();
  }

  /** 24560, "24560 MB" or {"value": 24560, "unit": "MB"}. */
  private static OptionalLong megabytes(JsonNode node) {
    try {
      if (node.isObject()) {
        double value = node.path("value").asDouble(Double.NaN);
        String unit = node.path("unit").asText("MB").toUpperCase(Locale.ROOT);
        return Double.isNaN(value) ? OptionalLong.empty() : OptionalLong.of(Math.round(value * unitBytes(unit)));
      }
      if (node.isNumber()) {
        return OptionalLong.of(node.asLong() * 1024L * 1024L);
      }
      String[] parts = node.asText("").trim().split("\\s+");
      if (parts.length >= 1 && !parts[0].isEmpty()) {
        return OptionalLong.of(Math.round(Double.parseDouble(parts[0]) * unitBytes(parts.length > 1 ? parts[1].toUpperCase(Locale.ROOT) : "MB")));
      }
    } catch (NumberFormatException e) {
      // "N/A" and friends: unknown
    }
    return OptionalLong.empty();
  }

  /** amd-smi's "MB" are mebibytes (it divides the byte count by 1024²). */
  private static long unitBytes(String unit) {
    return switch (unit) {
      case "GB" -> 1024L * 1024L * 1024L;
      case "KB" -> 1024L;
      case "B" -> 1L;
      default -> 1024L * 1024L;
    };
  }

  private static OptionalLong parseLong(String text) {
    try {
      return OptionalLong.of(Long.parseLong(text.trim()));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  private static JsonNode tree(String output) {
    try {
      JsonNode node = JSON.readTree(output);
      return node == null ? JSON.createObjectNode() : node;
    } catch (IOException e) {
      return JSON.createObjectNode();
    }
  }
}
