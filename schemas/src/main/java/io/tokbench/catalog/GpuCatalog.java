package io.tokbench.catalog;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * The GPU catalog shared by agent and aggregator ({@code tokbench/gpu-catalog.csv}). It turns the
 * raw names vendor tools print into canonical ids, exactly: a name that is not listed stays
 * unknown rather than being guessed, because a wrong match would put one GPU's numbers in
 * another's table.
 */
public final class GpuCatalog {
  // Before SHARED: loading the shared catalog normalizes names with it.
  private static final java.util.regex.Pattern WHITESPACE = java.util.regex.Pattern.compile("\\s+");

  public static final String RESOURCE = "/tokbench/gpu-catalog.csv";
  /** Marketed VRAM "GB" are binary: a 24 GB card has 24 GiB. */
  private static final long GIB = 1024L * 1024L * 1024L;
  private static final GpuCatalog SHARED = load();

  private final Map<String, GpuSpec> byId;
  private final Map<String, List<GpuSpec>> byAlias;

  private GpuCatalog(List<GpuSpec> specs) {
    Map<String, GpuSpec> ids = new LinkedHashMap<>();
    Map<String, List<GpuSpec>> aliases = new HashMap<>();
    for (GpuSpec spec : specs) {
      if (ids.put(spec.id(), spec) != null) {
        throw new IllegalStateException("GPU catalog lists " + spec.id() + " twice");
      }
      for (String alias : spec.aliases()) {
        aliases.computeIfAbsent(normalize(alias), a -> new ArrayList<>()).add(spec);
      }
    }
    this.byId = Map.copyOf(ids);
    this.byAlias = Map.copyOf(aliases);
  }

  /** The catalog shipped with this build. */
  public static GpuCatalog shared() {
    return SHARED;
  }

  public Collection<GpuSpec> all() {
    return byId.values();
  }

  public Optional<GpuSpec> byId(String id) {
    return Optional.ofNullable(byId.get(id));
  }

  /**
   * The catalog entry a tool's raw name denotes. Some names cover variants that differ in what the
   * tool also reports: Apple's "Apple M3 Max" has 30 or 40 GPU cores, "NVIDIA GeForce RTX 3080"
   * 10 or 12 GB. The core count and memory size decide between them; when they cannot (not
   * reported, or no variant fits), there is no match rather than a guess.
   *
   * @param vramBytes total memory the tool reported for the card, used only to tell variants apart
   */
  public Optional<GpuSpec> match(String rawName, OptionalInt gpuCores, OptionalLong vramBytes) {
    if (rawName == null) {
      return Optional.empty();
    }
    List<GpuSpec> candidates = byAlias.getOrDefault(normalize(rawName), List.of());
    if (gpuCores.isPresent()) {
      // A core count is definitive where the catalog keys on it (Apple): a contradiction is no match.
      candidates = candidates.stream().filter(spec -> spec.gpuCores().isEmpty() || spec.gpuCores().getAsInt() == gpuCores.getAsInt()).toList();
    }
    // Memory only tells variants apart: one candidate stays matched, as OEMs ship odd sizes.
    if (candidates.size() > 1 && vramBytes.isPresent()) {
      // A unified-memory machine's memory is a configuration, not a variant's card: it tells nothing apart.
      candidates = candidates.stream().filter(spec -> !spec.unifiedMemory() && sameSize(spec.vramBytes(), vramBytes.getAsLong())).toList();
    }
    return candidates.size() == 1 ? Optional.of(candidates.get(0)) : Optional.empty();
  }

  public Optional<GpuSpec> match(String rawName, OptionalInt gpuCores) {
    return match(rawName, gpuCores, OptionalLong.empty());
  }

  public Optional<GpuSpec> match(String rawName) {
    return match(rawName, OptionalInt.empty(), OptionalLong.empty());
  }

  /** Tools report a little less than the marketed size (reserved memory): allow 8 %. */
  private static boolean sameSize(long catalogBytes, long reportedBytes) {
    return Math.abs(catalogBytes - reportedBytes) <= 0.08 * catalogBytes;
  }

  /** A raw GPU name as the catalog compares it: trimmed, single spaces, lower case. */
  public static String normalize(String name) {
    return WHITESPACE.matcher(name.trim()).replaceAll(" ").toLowerCase(Locale.ROOT);
  }

  private static GpuCatalog load() {
    return CsvLine.resource(GpuCatalog.class, RESOURCE, "GPU catalog", GpuCatalog::parse);
  }

  /** Parses the catalog CSV: '#' comments, a header line, then one GPU per line. */
  public static GpuCatalog parse(InputStream in) throws IOException {
    List<GpuSpec> specs = new ArrayList<>();
    for (CsvLine.Row row : CsvLine.rows(in)) {
      try {
        specs.add(spec(row.cells()));
      } catch (RuntimeException e) {
        throw new IllegalStateException("GPU catalog line " + row.lineNumber() + ": " + e.getMessage(), e);
      }
    }
    return new GpuCatalog(specs);
  }

  private static GpuSpec spec(Map<String, String> row) {
    String cores = row.getOrDefault("gpu_cores", "");
    List<String> aliases = CsvLine.values(row.get("aliases"));
    String memoryType = required(row, "memory_type");
    MemoryClass.of(memoryType);
    OptionalDouble share = optionalDouble(row, "gpu_memory_share");
    if (share.isPresent() != (MemoryClass.of(memoryType) == MemoryClass.UNIFIED) || share.orElse(0.5) <= 0 || share.orElse(0.5) > 1) {
      throw new IllegalArgumentException("gpu_memory_share is given for unified memory only, as a share in (0, 1]");
    }
    return new GpuSpec(
        required(row, "id"),
        required(row, "vendor"),
        required(row, "name"),
        required(row, "segment"),
        Math.round(Double.parseDouble(required(row, "vram_gb")) * GIB),
        Double.parseDouble(required(row, "bandwidth_gbs")),
        required(row, "backend"),
        cores.isEmpty() ? OptionalInt.empty() : OptionalInt.of(Integer.parseInt(cores)),
        aliases,
        memoryType,
        optionalDouble(row, "fp16_tflops"),
        share,
        optionalDouble(row, "board_power_w"),
        required(row, "architecture"));
  }

  private static OptionalDouble optionalDouble(Map<String, String> row, String column) {
    String value = row.getOrDefault(column, "");
    return value.isEmpty() ? OptionalDouble.empty() : OptionalDouble.of(Double.parseDouble(value));
  }

  private static String required(Map<String, String> row, String column) {
    String value = row.get(column);
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException("missing " + column);
    }
    return value;
  }
}
