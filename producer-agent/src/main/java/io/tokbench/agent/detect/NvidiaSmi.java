package io.tokbench.agent.detect;

import io.tokbench.schema.GpuVendor;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * NVIDIA GPUs from {@code nvidia-smi --query-gpu=... --format=csv,noheader,nounits}: one line per
 * GPU, comma-separated, memory in MiB and power in W. Fields the driver cannot report print as
 * {@code [N/A]} or {@code [Not Supported]} and become unknown.
 */
public final class NvidiaSmi {
  public static final List<String> QUERY =
      List.of("nvidia-smi", "--query-gpu=index,name,memory.total,driver_version,pci.bus_id,power.limit,memory.used,power.draw", "--format=csv,noheader,nounits");
  public static final List<String> TOPOLOGY = List.of("nvidia-smi", "topo", "-m");
  public static final List<String> POWER_QUERY = List.of("nvidia-smi", "--query-gpu=power.draw", "--format=csv,noheader,nounits");
  private static final long MIB = 1024L * 1024L;

  private NvidiaSmi() {}

  /** One line of the query, as printed. */
  public record Row(int index, String name, OptionalLong memoryTotalBytes, Optional<String> driver, OptionalDouble powerLimitWatts, OptionalDouble powerDrawWatts) {}

  public static List<Row> parse(String output) {
    List<Row> rows = new ArrayList<>();
    for (String line : output.split("\\R")) {
      if (line.isBlank()) {
        continue;
      }
      String[] cells = line.split(",\\s*");
      if (cells.length < 4) {
        continue;
      }
      rows.add(new Row(
          parseInt(cells[0]).orElse(rows.size()),
          cells[1].trim(),
          parseDouble(cells[2]).isPresent() ? OptionalLong.of(Math.round(parseDouble(cells[2]).getAsDouble() * MIB)) : OptionalLong.empty(),
          known(cells[3]),
          cells.length > 5 ? parseDouble(cells[5]) : OptionalDouble.empty(),
          cells.length > 7 ? parseDouble(cells[7]) : OptionalDouble.empty()));
    }
    return rows;
  }

  /** The rig's NVIDIA GPUs, identical cards counted together. */
  public static List<DetectedGpu> gpus(String output) {
    List<DetectedGpu> gpus = new ArrayList<>();
    for (Row row : parse(output)) {
      gpus.add(DetectedGpu.of(GpuVendor.NVIDIA, row.name(), row.memoryTotalBytes(), row.driver(), 1, OptionalInt.empty()));
    }
    return GpuGrouping.group(gpus);
  }

  /** Total board power over all GPUs, when every GPU reports it. */
  public static OptionalDouble totalPowerDraw(String output) {
    double total = 0;
    boolean any = false;
    for (String line : output.split("\\R")) {
      if (line.isBlank()) {
        continue;
      }
      OptionalDouble watts = parseDouble(line);
      if (watts.isEmpty()) {
        return OptionalDouble.empty();
      }
      total += watts.getAsDouble();
      any = true;
    }
    return any ? OptionalDouble.of(total) : OptionalDouble.empty();
  }

  /**
   * The interconnect from {@code nvidia-smi topo -m}'s GPU matrix: "nvlink" when any GPU pair is
   * joined by NVLink ({@code NV#}), "pcie" when every pair goes over PCIe (PIX, PXB, PHB, NODE,
   * SYS), empty when the matrix cannot be read.
   */
  public static Optional<String> interconnect(String topology) {
    boolean anyPair = false;
    for (String line : topology.split("\\R")) {
      if (!line.matches("^GPU\\d+\\s.*")) {
        continue;
      }
      for (String cell : line.trim().split("\\s+")) {
        if (cell.matches("NV\\d+")) {
          return Optional.of("nvlink");
        }
        if (cell.matches("PIX|PXB|PHB|NODE|SYS")) {
          anyPair = true;
        }
      }
    }
    return anyPair ? Optional.of("pcie") : Optional.empty();
  }

  static Optional<String> known(String cell) {
    String value = cell.trim();
    return value.isEmpty() || value.startsWith("[") ? Optional.empty() : Optional.of(value);
  }

  static OptionalDouble parseDouble(String cell) {
    try {
      return known(cell).map(v -> OptionalDouble.of(Double.parseDouble(v))).orElse(OptionalDouble.empty());
    } catch (NumberFormatException e) {
      return OptionalDouble.empty();
    }
  }

  private static OptionalInt parseInt(String cell) {
    OptionalDouble value = parseDouble(cell);
    return value.isPresent() ? OptionalInt.of((int) value.getAsDouble()) : OptionalInt.empty();
  }
}
