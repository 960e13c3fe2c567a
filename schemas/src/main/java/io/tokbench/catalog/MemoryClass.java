package io.tokbench.catalog;

import java.util.Locale;

/**
 * How a GPU's memory is built, which decides how much of its catalog bandwidth generation reaches:
 * stacked HBM on data-centre parts, GDDR on graphics cards, and LPDDR/DDR shared with the CPU on
 * SoCs and integrated GPUs. Published runs reach 0.2 to 0.6 of HBM bandwidth, 0.7 to 0.95 of GDDR
 * and about 0.75 of unified memory, so the estimator never calibrates them together.
 */
public enum MemoryClass {
  HBM,
  GDDR,
  UNIFIED;

  /** "HBM3e" → HBM, "GDDR6X" → GDDR, "LPDDR5X" or "DDR5" → UNIFIED. */
  public static MemoryClass of(String memoryType) {
    String type = memoryType.toUpperCase(Locale.ROOT);
    if (type.startsWith("HBM")) {
      return HBM;
    }
    if (type.startsWith("GDDR")) {
      return GDDR;
    }
    if (type.startsWith("LPDDR") || type.startsWith("DDR")) {
      return UNIFIED;
    }
    throw new IllegalArgumentException("unknown memory type " + memoryType);
  }
}
