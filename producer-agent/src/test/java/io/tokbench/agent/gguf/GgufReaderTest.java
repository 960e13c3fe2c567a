package io.tokbench.agent.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tokbench.agent.llamacpp.LlamaCppBuild;
import java.io.IOException;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GgufReaderTest {

  @Test
  void theRealTinyModelsHeaderGivesWhatLlamaCppReportsForIt() throws Exception {
    assumeTrue(LlamaCppBuild.home().isPresent(), LlamaCppBuild.absence());
    GgufFacts facts = GgufReader.read(LlamaCppBuild.model());
    // llama-server's /v1/models meta and llama-bench say n_params 24407712, Q8_0, n_ctx_train 8192,
    // n_embd 288; the build's README: 6 layers, 6 heads.
    assertThat(facts.architecture()).contains("llama");
    assertThat(facts.parameterCount()).hasValue(24_407_712L);
    assertThat(facts.quantization()).contains("Q8_0");
    assertThat(facts.contextLength()).hasValue(8192);
    assertThat(facts.embeddingLength()).hasValue(288);
    assertThat(facts.blockCount()).hasValue(6);
    assertThat(facts.headCount()).hasValue(6);
    assertThat(facts.expertCount()).isEmpty();
    assertThat(facts.toArchitecture()).hasValueSatisfying(a -> {
      assertThat(a.getBlockCount()).isEqualTo(6);
      assertThat(a.getContextLengthTrained()).isEqualTo(8192);
      assertThat(a.getExpertCount()).isNull();
    });
  }

  @ParameterizedTest(name = "GGUF v{0}, {1}")
  @CsvSource({"1, LITTLE_ENDIAN", "2, LITTLE_ENDIAN", "3, LITTLE_ENDIAN", "3, BIG_ENDIAN"})
  void aMixtureOfExpertsHeaderInEveryVersionAndByteOrder(int version, String order) throws Exception {
    ByteOrder byteOrder = order.equals("BIG_ENDIAN") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    byte[] header = new GgufWriter(version, byteOrder)
        .u32("general.alignment", 32)
        .u32("qwen3moe.block_count", 48) // before general.architecture: keys come in any order
        .string("general.architecture", "qwen3moe")
        .string("general.name", "Qwen3 30B A3B")
        .u32("general.file_type", 15)
        .u64("qwen3moe.context_length", 40960)
        .u32("qwen3moe.embedding_length", 2048)
        .u32("qwen3moe.attention.head_count", 32)
        .u32("qwen3moe.attention.head_count_kv", 4)
        .u32("qwen3moe.attention.key_length", 128)
        .u32("qwen3moe.expert_count", 128)
        .u32("qwen3moe.expert_used_count", 8)
        .f32("qwen3moe.rope.freq_base", 1_000_000f)
        .strings("tokenizer.ggml.tokens", List.of("<s>", "</s>", "hello"))
        .ints("tokenizer.ggml.token_type", new int[] {3, 3, 1})
        .tensor("token_embd.weight", 2048, 151_936)
        .tensor("blk.0.ffn_gate_exps.weight", 2048, 768, 128)
        .tensor("output_norm.weight", 2048)
        .bytes();
    GgufFacts facts = GgufReader.read(new BytesChannel(header));
    assertThat(facts.architecture()).contains("qwen3moe");
    assertThat(facts.quantization()).contains("Q4_K_M");
    assertThat(facts.blockCount()).hasValue(48);
    assertThat(facts.contextLength()).hasValue(40960);
    assertThat(facts.headCount()).hasValue(32);
    assertThat(facts.headCountKv()).hasValue(4);
    assertThat(facts.keyLength()).hasValue(128);
    assertThat(facts.expertCount()).hasValue(128);
    assertThat(facts.expertUsedCount()).hasValue(8);
    assertThat(facts.parameterCount()).hasValue(2048L * 151_936 + 2048L * 768 * 128 + 2048);
  }

  @Test
  void aHeaderWithoutTheKeysGivesNothingRatherThanGuesses() throws Exception {
    byte[] header = new GgufWriter(3, ByteOrder.LITTLE_ENDIAN)
        .string("general.architecture", "llama")
        .u32("general.file_type", 1234) // not a llama_ftype
        .u64("llama.block_count", 1L << 40) // no int
        .ints("llama.attention.head_count", new int[] {8, 8, 4}) // per layer: not one figure
        .bytes();
    GgufFacts facts = GgufReader.read(new BytesChannel(header));
    assertThat(facts.architecture()).contains("llama");
    assertThat(facts.quantization()).isEmpty();
    assertThat(facts.blockCount()).isEmpty();
    assertThat(facts.headCount()).isEmpty();
    assertThat(facts.parameterCount()).as("no tensors, no count").isEmpty();
    assertThat(facts.toArchitecture()).isEmpty();
  }

  @Test
  void anArchitectureNameThatCouldNotBeAKeyIsDropped() throws Exception {
    byte[] header = new GgufWriter(3, ByteOrder.LITTLE_ENDIAN).string("general.architecture", "llama\u202e/../x").u32("llama\u202e/../x.block_count", 4).bytes();
    GgufFacts facts = GgufReader.read(new BytesChannel(header));
    assertThat(facts.architecture()).isEmpty();
    assertThat(facts.blockCount()).isEmpty();
  }

  @Test
  void lengthsThatClaimMoreThanTheFileHoldsAreRefusedBeforeAnyAllocation() {
    byte[] header = new GgufWriter(3, ByteOrder.LITTLE_ENDIAN).string("general.architecture", "llama").bytes();
    // The key/value count claims 2^62 pairs.
    java.nio.ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).putLong(16, 1L << 62);
    assertThatThrownBy(() -> GgufReader.read(new BytesChannel(header))).isInstanceOf(GgufFormatException.class)
        .hasMessageContaining("more than the file can hold");
    assertThatThrownBy(() -> GgufReader.read(new BytesChannel("GGML\0\0\0\0".getBytes()))).isInstanceOf(GgufFormatException.class)
        .hasMessageContaining("not a GGUF file");
    assertThatThrownBy(() -> GgufReader.read(new BytesChannel(new GgufWriter(7, ByteOrder.LITTLE_ENDIAN).bytes()))).isInstanceOf(GgufFormatException.class)
        .hasMessageContaining("version 7");
  }

  @Test
  void fileTypeDescriptionsAsLlamaCppPrintsThem() {
    assertThat(FileTypes.fromDescription("Q4_K - Medium")).contains("Q4_K_M");
    assertThat(FileTypes.fromDescription("mostly Q4_0")).contains("Q4_0");
    assertThat(FileTypes.fromDescription("IQ4_XS - 4.25 bpw")).contains("IQ4_XS");
    assertThat(FileTypes.fromDescription("IQ3_S mix - 3.66 bpw")).contains("IQ3_M");
    assertThat(FileTypes.fromDescription("TQ1_0 - 1.69 bpw ternary")).contains("TQ1_0");
    assertThat(FileTypes.fromDescription("MXFP4 MoE")).contains("MXFP4_MOE");
    assertThat(FileTypes.fromDescription("all F32")).contains("F32");
    assertThat(FileTypes.fromDescription("Q8_0")).contains("Q8_0");
    assertThat(FileTypes.fromDescription("unknown, may not work")).isEmpty();
    assertThat(FileTypes.name(7)).contains("Q8_0");
    assertThat(FileTypes.name(4)).as("removed from llama.cpp").isEmpty();
  }

}
