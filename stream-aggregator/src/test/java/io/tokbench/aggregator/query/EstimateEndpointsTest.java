package io.tokbench.aggregator.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tokbench.aggregator.estimate.CalibrationGroups;
import io.tokbench.schema.CalibrationRecord;
import io.tokbench.schema.ModelFacts;
import io.tokbench.schema.OffloadClass;
import io.tokbench.schema.Percentiles;
import io.tokbench.schema.StatsKey;
import io.tokbench.schema.StatsRow;
import io.tokbench.schema.TypicalSetup;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The estimate endpoint's answers for unified-memory machines, reported backends and models the reports describe only in part. */
class EstimateEndpointsTest {
  private static final long GIB = 1024L * 1024 * 1024;
  private static final String LLAMA_70B = "llama-3.3-70b-instruct";
  private static final String LLAMA_8B = "llama-3.1-8b-instruct";

  private static StatsRow row(String model, String gpu, int gpuCount, String backend, double median, ModelFacts facts) {
    return StatsRow.newBuilder()
        .setKey(new StatsKey(model, gpu, gpuCount, "Q4_K_M", "llama.cpp", 8192, "tokbench-suite-1", OffloadClass.FULL_GPU, 1, backend))
        .setGenerationTokensPerSecond(new Percentiles(median, median, median, median, median))
        .setReportCount(3).setRigCount(3).setFirstReportAt(Instant.EPOCH).setLastReportAt(Instant.EPOCH)
        .setTypicalSetup(new TypicalSetup("linux", "b6002", backend))
        .setModelFacts(facts)
        .build();
  }

  /** Llama 3.3 70B Q4_K_M (42.5 GB) as two RTX 4090s measured it. */
  private static final List<StatsRow> LLAMA_70B_ROWS = List.of(row(LLAMA_70B, "nvidia-rtx-4090", 2, "CUDA", 19.2, ModelFacts.newBuilder()
      .setFileSizeBytes(42_520_395_584L).setParameterCount(70_553_706_496L).setKvCacheBytesPerToken(80L * 8 * 128 * 2 * 2).setAttentionWidth(80L * 64 * 128).build()));

  private static Estimates endpoints(List<StatsRow> rows) {
    EstimateEndpoints endpoints = new EstimateEndpoints((model, freshness) -> rows.stream().filter(r -> r.getKey().getModel().equals(model)).toList(), Map::of);
    return params -> endpoints.estimate(Params.of(params), new Freshness());
  }

  private interface Estimates {
    ObjectNode estimate(Map<String, String> params);
  }

  @Test
  void anM2UltraWith192GbFitsA70bQ4Model() {
    ObjectNode answer = endpoints(LLAMA_70B_ROWS).estimate(Map.of("model", LLAMA_70B, "gpu", "apple-m2-ultra-76c", "quant", "Q4_K_M"));

    assertThat(answer.get("vram").get("fits").asBoolean()).isTrue();
    assertThat(answer.get("vram").get("availableBytes").asLong()).as("macOS gives the GPU 3/4 of 192 GB").isEqualTo(144 * GIB);
    assertThat(answer.get("backend").asText()).isEqualTo("METAL");
    assertThat(answer.get("singleUserTokensPerSecond").asDouble()).isBetween(5.0, 20.0);
  }

  @Test
  void theMachinesOwnMemoryDecidesOnAUnifiedMemoryGpuAndIsRefusedOnACard() {
    ObjectNode small = endpoints(LLAMA_70B_ROWS).estimate(Map.of("model", LLAMA_70B, "gpu", "apple-m2-ultra-76c", "memoryGb", "48"));
    assertThat(small.get("vram").get("availableBytes").asLong()).isEqualTo(36 * GIB);
    assertThat(small.get("vram").get("fits").asBoolean()).isFalse();

    assertThatThrownBy(() -> endpoints(LLAMA_70B_ROWS).estimate(Map.of("model", LLAMA_70B, "gpu", "nvidia-rtx-4090", "memoryGb", "48")))
        .isInstanceOf(StatsFilter.BadParameter.class).hasMessageContaining("memoryGb");
    assertThatThrownBy(() -> endpoints(LLAMA_70B_ROWS).estimate(Map.of("model", LLAMA_70B, "gpu", "apple-m2-ultra-76c", "memoryGb", "0")))
        .isInstanceOf(StatsFilter.BadParameter.class).hasMessageContaining("memoryGb");
  }

  @Test
  void theBackendTheRigsReportedIsTheOneThePlanUsesUnlessAskedOtherwise() {
    ModelFacts facts = ModelFacts.newBuilder().setFileSizeBytes(4_920_738_944L).setParameterCount(8_030_261_248L).setKvCacheBytesPerToken(131_072L).build();
    List<StatsRow> rows = List.of(row(LLAMA_8B, "amd-rx-7900-xtx", 1, "VULKAN", 95.0, facts), row(LLAMA_8B, "nvidia-rtx-4090", 1, "CUDA", 130.0, facts));

    assertThat(endpoints(rows).estimate(Map.of("model", LLAMA_8B, "gpu", "amd-rx-7900-xtx")).get("backend").asText()).isEqualTo("VULKAN");
    assertThat(endpoints(rows).estimate(Map.of("model", LLAMA_8B, "gpu", "amd-rx-7800-xt")).get("backend").asText()).as("nobody measured it: the usual").isEqualTo("ROCM");
    assertThat(endpoints(rows).estimate(Map.of("model", LLAMA_8B, "gpu", "amd-rx-7900-xtx", "backend", "rocm")).get("backend").asText()).isEqualTo("ROCM");
    assertThatThrownBy(() -> endpoints(rows).estimate(Map.of("model", LLAMA_8B, "gpu", "amd-rx-7900-xtx", "backend", "directx")))
        .isInstanceOf(StatsFilter.BadParameter.class).hasMessageContaining("backend");
  }

  /** Vulkan runs calibrate their vendor's groups (VULKAN/AMD): the model page's VRAM estimate reads them, not Vulkan's of every vendor. */
  @Test
  void theModelPagesVramEstimateOfAVulkanQuantizationUsesTheCalibrationOfTheVendorThatRanIt() {
    long kvPerToken = 131_072L;
    long fileSize = 4_920_738_944L;
    ModelFacts facts = ModelFacts.newBuilder().setFileSizeBytes(fileSize).setParameterCount(8_030_261_248L).setKvCacheBytesPerToken(kvPerToken).build();
    List<StatsRow> rows = List.of(row(LLAMA_8B, "amd-rx-7900-xtx", 1, "VULKAN", 95.0, facts), row(LLAMA_8B, "amd-rx-7800-xt", 1, "VULKAN", 70.0, facts),
        row(LLAMA_8B, "nvidia-rtx-4090", 1, "VULKAN", 60.0, facts), row(LLAMA_8B, "nvidia-rtx-4090", 1, "CUDA", 130.0, facts));
    Map<String, CalibrationRecord> calibration = Map.of(
        "llama.cpp|VULKAN/AMD|Q4_K_M", vram("llama.cpp|VULKAN/AMD|Q4_K_M", 2.0, GIB),
        "llama.cpp|VULKAN/NVIDIA|Q4_K_M", vram("llama.cpp|VULKAN/NVIDIA|Q4_K_M", 1.0, 0),
        "VULKAN", vram("VULKAN", 1.0, 0));
    EstimateEndpoints endpoints = new EstimateEndpoints((model, freshness) -> rows, () -> calibration);

    JsonNode quant = endpoints.model(LLAMA_8B, new Freshness()).get("quantizations").get(0);
    assertThat(quant.get("vramEstimatedBytes").asLong()).as("AMD ran two of its three Vulkan rows")
        .isEqualTo(fileSize + 2 * kvPerToken * EstimateEndpoints.TABLE_CONTEXT + GIB);
  }

  private static CalibrationRecord vram(String group, double kvFactor, long overheadBytes) {
    return CalibrationRecord.newBuilder(CalibrationGroups.PRIOR).setGroupId(group).setLevel(CalibrationGroups.levelOf(group)).setRigCount(9).setRowCount(9)
        .setKvCacheFactor(kvFactor).setRuntimeOverheadBytes(overheadBytes).build();
  }

  @Test
  void aModelSeenOnlyThroughLlamaServerWithoutArchitectureStillGetsAPlanThatSaysWhatItLacks() {
    List<StatsRow> rows = List.of(row(LLAMA_8B, "nvidia-rtx-4090", 1, "CUDA", 130.0,
        ModelFacts.newBuilder().setFileSizeBytes(4_920_738_944L).setParameterCount(8_030_261_248L).build()));

    ObjectNode answer = endpoints(rows).estimate(Map.of("model", LLAMA_8B, "gpu", "nvidia-rtx-3090"));

    assertThat(answer.get("vramBasis").get("kind").asText()).isEqualTo("partial");
    assertThat(answer.get("vramBasis").get("text").asText()).contains("KV cache unknown");
    assertThat(answer.get("vram").get("kvCacheBytes").asLong()).isZero();
    assertThat(answer.get("singleUserTokensPerSecond").asDouble()).isPositive();
  }
}
