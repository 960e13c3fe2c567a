package io.tokbench.normalize;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokbench.catalog.ModelCatalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The comparability rules: spellings meet, buckets are fixed, model identity crosses runtimes. */
class NormalizationTest {

  @ParameterizedTest
  @CsvSource({
    "q4_K_M, Q4_K_M", "Q4_K_M, Q4_K_M", "q8_0, Q8_0", "fp16, F16", "F16, F16", "bf16, BF16", "iq4_xs, IQ4_XS", "mxfp4, MXFP4"
  })
  void quantizationSpellingsMeet(String reported, String normalized) {
    assertThat(Normalization.quantization(reported)).isEqualTo(normalized);
  }

  @Test
  void aMissingQuantizationIsUnknownNotGuessed() {
    assertThat(Normalization.quantization(null)).isEqualTo("UNKNOWN");
  }

  @ParameterizedTest
  @CsvSource({"llama.cpp, llama.cpp", "llamacpp, llama.cpp", "llama-cpp, llama.cpp", "Ollama, ollama", "LM Studio, lmstudio", "vLLM, vllm"})
  void runtimeSpellingsMeet(String reported, String normalized) {
    assertThat(Normalization.runtime(reported)).isEqualTo(normalized);
  }

  @ParameterizedTest
  @CsvSource({"512, 2048", "2048, 2048", "4096, 4096", "6000, 4096", "8192, 8192", "10000, 8192", "32768, 32768", "131072, 131072", "262144, 131072"})
  void contextLengthsFallIntoBuckets(int context, int bucket) {
    assertThat(Normalization.contextBucket(context)).isEqualTo(bucket);
  }

  @Test
  void anOllamaTagAndItsGgufAreOneModel() {
    String viaOllama = Normalization.model("llama3.1:8b-instruct-q4_K_M", null);
    String viaGguf = Normalization.model("Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf", null);
    String viaHuggingFace = Normalization.model("meta-llama/Llama-3.1-8B-Instruct", null);
    assertThat(viaOllama).isEqualTo("llama-3.1-8b-instruct").isEqualTo(viaGguf).isEqualTo(viaHuggingFace);
  }

  @Test
  void theDigestDecidesWhenATagWasRePointed() {
    // deepseek-r1:8b was the Llama distill (digest 28f8fd6cdc67), then became the 0528 Qwen3 distill.
    assertThat(Normalization.model("deepseek-r1:8b", "sha256:28f8fd6cdc677661426adab9338ce3c013d7e69a5bea9e704b364171a5d61a10"))
        .isEqualTo("deepseek-r1-distill-llama-8b")
        .isEqualTo(Normalization.model("DeepSeek-R1-Distill-Llama-8B-Q4_K_M.gguf", null));
    assertThat(Normalization.model("deepseek-r1:8b", "sha256:6995872bfe4c0000")).isEqualTo("deepseek-r1-0528-qwen3-8b");
  }

  @Test
  void anUnknownModelKeepsItsNameWithoutTheQuantization() {
    assertThat(Normalization.model("my-finetune:13b-q5_K_M", null)).isEqualTo("raw:my-finetune:13b");
  }

  @Test
  void mixturesOfExpertsReadOnlyTheirActiveShare() {
    assertThat(ModelCatalog.shared().byId("qwen3-30b-a3b").orElseThrow().activeShare()).isLessThan(0.2);
    assertThat(ModelCatalog.shared().byId("llama-3.1-8b-instruct").orElseThrow().activeShare()).isEqualTo(1.0);
  }

  @Test
  void theSetupLabelReadsLikeTheCommunityTables() {
    assertThat(Normalization.setupLabel("Q4_K_M", "ollama", "linux", 8192)).isEqualTo("Q4_K_M · Ollama · Linux · 8K ctx");
  }
}
