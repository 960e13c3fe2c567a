package io.tokbench.catalog;

import java.util.List;
import java.util.OptionalInt;

/**
 * One GPU model in the shared catalog.
 *
 * @param id canonical id, e.g. {@code nvidia-rtx-4090}
 * @param vendor NVIDIA, AMD, APPLE or INTEL
 * @param name display name, e.g. "RTX 4090 Laptop"
 * @param segment desktop, laptop, workstation, datacenter or soc
 * @param vramBytes memory per card (marketed GB, which are GiB); 0 for Apple silicon, whose
 *     unified memory varies per machine
 * @param bandwidthGBs memory bandwidth in GB/s: the ceiling on how fast weights can be read
 * @param backend the compute backend runtimes use on it: CUDA, ROCM, METAL or SYCL
 * @param gpuCores GPU core count where it tells binned variants apart (Apple), else empty
 * @param aliases raw names as vendor tools print them
 */
public record GpuSpec(
    String id,
    String vendor,
    String name,
    String segment,
    long vramBytes,
    double bandwidthGBs,
    String backend,
    OptionalInt gpuCores,
    List<String> aliases) {

  public GpuSpec {
    aliases = List.copyOf(aliases);
  }

  /** Bytes per second the GPU's memory can deliver. */
  public double bandwidthBytesPerSecond() {
    return bandwidthGBs * 1e9;
  }
}
