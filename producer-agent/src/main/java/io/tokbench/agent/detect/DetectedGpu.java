package io.tokbench.agent.detect;

import io.tokbench.catalog.GpuCatalog;
import io.tokbench.catalog.GpuSpec;
import io.tokbench.schema.GpuVendor;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * One GPU model in the rig, with how many identical cards there are. {@code spec} is empty when
 * the catalog does not know the name: the raw name is kept and the GPU is flagged as unknown,
 * never matched to a look-alike.
 */
public record DetectedGpu(
    GpuVendor vendor,
    String rawName,
    Optional<GpuSpec> spec,
    OptionalLong vramBytes,
    Optional<String> driverVersion,
    int count,
    OptionalInt gpuCores) {

  /** Looks the raw name (and core count, for binned Apple parts) up in the shared catalog. */
  public static DetectedGpu of(GpuVendor vendor, String rawName, OptionalLong vramBytes, Optional<String> driver, int count, OptionalInt cores) {
    return new DetectedGpu(vendor, rawName, catalogMatch(vendor, rawName, cores, vramBytes), vramBytes, driver, count, cores);
  }

  /** rocm-smi drops the "AMD " that amd-smi and the catalog's names carry: look it up both ways. */
  static Optional<GpuSpec> catalogMatch(GpuVendor vendor, String rawName, OptionalInt cores, OptionalLong vramBytes) {
    Optional<GpuSpec> spec = GpuCatalog.shared().match(rawName, cores, vramBytes);
    if (spec.isEmpty() && vendor == GpuVendor.AMD && !rawName.startsWith("AMD ")) {
      spec = GpuCatalog.shared().match("AMD " + rawName, cores, vramBytes);
    }
    return spec;
  }

  public boolean known() {
    return spec.isPresent();
  }

  DetectedGpu withCount(int newCount) {
    return new DetectedGpu(vendor, rawName, spec, vramBytes, driverVersion, newCount, gpuCores);
  }
}
