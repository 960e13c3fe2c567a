package io.tokbench.agent.importer;

import io.tokbench.agent.detect.DetectedGpu;
import io.tokbench.agent.detect.Rig;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * The rig of a llama-bench table someone else published, as far as the table and the importer say:
 * the GPU the importer named, the CPU as llama-bench printed it (cpu_info), an OS only where the
 * backend implies one (Metal: macOS on arm64); memory unknown.
 */
public final class NamedRig {
  private NamedRig() {}

  public static Rig of(DetectedGpu gpu, List<LlamaBenchRow> rows) {
    Optional<String> cpu = rows.isEmpty() ? Optional.empty() : rows.get(0).field("cpu_info");
    boolean metal = rows.stream().anyMatch(r -> r.field("backends").map(b -> b.contains("Metal") || b.contains("MTL")).orElse(false));
    return new Rig(List.of(gpu), new Rig.CpuInfo(cpu, OptionalInt.empty(), OptionalInt.empty()), OptionalLong.empty(),
        new Rig.OsInfo(metal ? "macos" : "unknown", Optional.empty(), Optional.empty(), metal ? "arm64" : "unknown"));
  }

  /** Named by what the importer knows of it: the same table imported again gets the same id. */
  public static UUID id(Rig rig) {
    return UUID.nameUUIDFromBytes(("imported:" + rig.toHardware()).getBytes(StandardCharsets.UTF_8));
  }
}
