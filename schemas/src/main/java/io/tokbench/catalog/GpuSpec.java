package io.tokbench.catalog;

import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * One GPU model in the shared catalog.
 *
 * @param id canonical id, e.g. {@code nvidia-rtx-4090}
 * @param vendor NVIDIA, AMD, APPLE or INTEL
 * @param name display name, e.g. "RTX 4090 Laptop"
 * @param segment desktop, laptop, workstation, datacenter or soc
 * @param vramBytes memory per card (marketed GB, which are GiB); for unified-memory devices the
 *     system memory of the largest configuration sold
 * @param bandwidthGBs memory bandwidth in GB/s: the ceiling on how fast weights can be read
 * @param backend the compute backend runtimes usually use on it: CUDA, ROCM, METAL, SYCL or VULKAN
 * @param gpuCores GPU core count where it tells binned variants apart (Apple), else empty
 * @param aliases raw names as vendor tools print them
 * @param memoryType GDDR6X, HBM3, LPDDR5X, ...
 * @param fp16Tflops peak dense FP16 throughput of the units prompt batches are multiplied on, when known
 * @param gpuMemoryShare for unified memory, the share of system memory the GPU may use by default; else empty
 * @param boardPowerWatts the board power limit it ships with, where one value holds for every board the row covers; else empty
 * @param architecture the architecture runtimes choose kernels by: ampere, ada, rdna3, rdna4, apple-m2, xe2, ...
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
    List<String> aliases,
    String memoryType,
    OptionalDouble fp16Tflops,
    OptionalDouble gpuMemoryShare,
    OptionalDouble boardPowerWatts,
    String architecture) {

  public GpuSpec {
    aliases = List.copyOf(aliases);
  }

  /** Bytes per second the GPU's memory can deliver. */
  public double bandwidthBytesPerSecond() {
    return bandwidthGBs * 1e9;
  }

  public MemoryClass memoryClass() {
    return MemoryClass.of(memoryType);
  }

  /** CPU and GPU share the system memory (Apple silicon, Strix Halo, DGX Spark, integrated GPUs). */
  public boolean unifiedMemory() {
    return gpuMemoryShare.isPresent();
  }

  /** Memory a model may occupy on one such GPU: the card's memory, or the GPU's default share of the largest configuration. */
  public long usableMemoryBytes() {
    return usableMemoryBytes(vramBytes);
  }

  /**
   * Memory a model may occupy when the card or machine has {@code memoryBytes}: all of a card's
   * memory, or the GPU's default share of a unified-memory machine's.
   */
  public long usableMemoryBytes(long memoryBytes) {
    return gpuMemoryShare.isPresent() ? Math.round(memoryBytes * gpuMemoryShare.getAsDouble()) : memoryBytes;
  }
}
