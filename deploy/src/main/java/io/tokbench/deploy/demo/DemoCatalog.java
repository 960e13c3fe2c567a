package io.tokbench.deploy.demo;

import io.tokbench.aggregator.estimate.VramEstimate;
import io.tokbench.normalize.ModelShape;
import io.tokbench.schema.Architecture;
import io.tokbench.schema.OperatingSystem;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.ToIntFunction;

/**
 * What the demo fleet is made of: popular models with their published shapes, the GPUs
 * contributors own (weighted the way local-LLM forums are), and the software around them.
 */
final class DemoCatalog {
  private DemoCatalog() {}

  /** A quantization as Ollama and llama.cpp spell it, with its average bits per weight (K-quants mix block types). */
  record Quant(String name, String ollamaSuffix, double bitsPerWeight) {}

  static final Quant Q4_K_M = new Quant("Q4_K_M", "q4_K_M", 4.85);
  static final Quant Q5_K_M = new Quant("Q5_K_M", "q5_K_M", 5.7);
  static final Quant Q8_0 = new Quant("Q8_0", "q8_0", 8.5);
  static final Quant F16 = new Quant("F16", "fp16", 16);

  /**
   * A model under the names each runtime gives it, with its published transformer shape.
   *
   * @param shortTagIsQ4KM whether the bare Ollama tag is the Q4_K_M build (Gemma 2 and Mistral default to Q4_0)
   */
  record DemoModel(String ollamaTag, boolean shortTagIsQ4KM, String ollamaTagBase, String ggufName, String lmStudioId,
      String family, long parameters, int layers, int heads, int kvHeads, int embedding, int headDim, int trainedContext, int popularity) {

    long fileBytes(Quant q) {
      return Math.round(parameters * q.bitsPerWeight() / 8);
    }

    /** F16 keys and values for every layer and KV head: what the runtime allocates for the context (the estimator's formula). */
    long kvBytes(int context) {
      return VramEstimate.kvBytesPerToken(architecture(), ModelShape.F16_BYTES) * context;
    }

    String ollamaName(Quant q) {
      return q == Q4_K_M && shortTagIsQ4KM ? ollamaTag : ollamaTagBase + "-" + q.ollamaSuffix();
    }

    Architecture architecture() {
      return Architecture.newBuilder().setBlockCount(layers).setAttentionHeadCount(heads).setAttentionHeadCountKv(kvHeads)
          .setEmbeddingLength(embedding).setKeyLength(headDim).setContextLengthTrained(trainedContext).build();
    }
  }

  static final List<DemoModel> MODELS = List.of(
      new DemoModel("llama3.1:8b", true, "llama3.1:8b-instruct", "Meta-Llama-3.1-8B-Instruct", "meta-llama-3.1-8b-instruct",
          "llama", 8_030_261_248L, 32, 32, 8, 4096, 128, 131_072, 12),
      new DemoModel("qwen2.5:7b", true, "qwen2.5:7b-instruct", "Qwen2.5-7B-Instruct", "qwen2.5-7b-instruct",
          "qwen2", 7_615_616_512L, 28, 28, 4, 3584, 128, 32_768, 7),
      new DemoModel("qwen2.5:14b", true, "qwen2.5:14b-instruct", "Qwen2.5-14B-Instruct", "qwen2.5-14b-instruct",
          "qwen2", 14_770_033_664L, 48, 40, 8, 5120, 128, 32_768, 5),
      new DemoModel("qwen2.5:32b", true, "qwen2.5:32b-instruct", "Qwen2.5-32B-Instruct", "qwen2.5-32b-instruct",
          "qwen2", 32_763_876_352L, 64, 40, 8, 5120, 128, 32_768, 4),
      new DemoModel("deepseek-r1:8b", true, "deepseek-r1:8b-0528-qwen3", "DeepSeek-R1-0528-Qwen3-8B", "deepseek-r1-0528-qwen3-8b",
          "qwen3", 8_190_735_360L, 36, 32, 8, 4096, 128, 131_072, 8),
      new DemoModel("gemma2:9b", false, "gemma2:9b-instruct", "gemma-2-9b-it", "gemma-2-9b-it",
          "gemma2", 9_241_705_984L, 42, 16, 8, 3584, 256, 8_192, 5),
      new DemoModel("gemma2:27b", false, "gemma2:27b-instruct", "gemma-2-27b-it", "gemma-2-27b-it",
          "gemma2", 27_227_128_320L, 46, 32, 16, 4608, 128, 8_192, 3),
      new DemoModel("mistral:7b", false, "mistral:7b-instruct-v0.3", "Mistral-7B-Instruct-v0.3", "mistral-7b-instruct-v0.3",
          "llama", 7_248_023_552L, 32, 32, 8, 4096, 128, 32_768, 5),
      new DemoModel("llama3.1:70b", true, "llama3.1:70b-instruct", "Meta-Llama-3.1-70B-Instruct", "meta-llama-3.1-70b-instruct",
          "llama", 70_553_706_496L, 80, 64, 8, 8192, 128, 131_072, 3));

  record Choice<T>(T value, int weight) {}

  static final List<Choice<Quant>> QUANT_MIX =
      List.of(new Choice<>(Q4_K_M, 60), new Choice<>(Q8_0, 18), new Choice<>(Q5_K_M, 12), new Choice<>(F16, 10));
  /** Context sizes by runtime: Ollama users keep near its defaults, llama-server users pick their -c. */
  static final Map<String, List<Choice<Integer>>> CONTEXT_MIX = Map.of(
      "ollama", List.of(new Choice<>(2048, 10), new Choice<>(4096, 15), new Choice<>(8192, 55), new Choice<>(16384, 12), new Choice<>(32768, 8)),
      "llama.cpp", List.of(new Choice<>(4096, 20), new Choice<>(8192, 50), new Choice<>(16384, 20), new Choice<>(32768, 10)),
      "lmstudio", List.of(new Choice<>(4096, 50), new Choice<>(8192, 50)));

  /** A GPU as contributors own it: how common, how many cards, and for Apple the CPU cores and memory sizes sold with the chip. */
  record GpuPick(String id, int weight, int cards, int appleCpuCores, List<Integer> unifiedMemoryGb) {}

  static GpuPick pc(String id, int weight, int cards) {
    return new GpuPick(id, weight, cards, 0, List.of());
  }

  private static GpuPick mac(String id, int weight, int cpuCores, Integer... memoryGb) {
    return new GpuPick(id, weight, 1, cpuCores, List.of(memoryGb));
  }

  static final List<GpuPick> GPUS = List.of(
      pc("nvidia-rtx-3060-12gb", 14, 1), pc("nvidia-rtx-3060-12gb", 2, 2), pc("nvidia-rtx-3090", 10, 1), pc("nvidia-rtx-3090", 4, 2),
      pc("nvidia-rtx-4090", 14, 1), pc("nvidia-rtx-4090", 2, 2), pc("nvidia-rtx-4060-ti-16gb", 8, 1), pc("nvidia-rtx-4060", 3, 1),
      pc("nvidia-rtx-4070", 7, 1), pc("nvidia-rtx-4070-super", 4, 1), pc("nvidia-rtx-4070-ti-super", 4, 1), pc("nvidia-rtx-4080-super", 4, 1),
      pc("nvidia-rtx-3080-10gb", 3, 1), pc("nvidia-rtx-3070", 3, 1), pc("nvidia-rtx-5090", 3, 1), pc("nvidia-rtx-5080", 2, 1),
      pc("nvidia-rtx-5070-ti", 2, 1), pc("nvidia-rtx-4090-laptop", 2, 1), pc("nvidia-rtx-4060-laptop", 2, 1), pc("nvidia-rtx-a6000", 1, 1),
      pc("nvidia-rtx-2080-ti", 1, 1),
      pc("amd-rx-7900-xtx", 6, 1), pc("amd-rx-7900-xtx", 1, 2), pc("amd-rx-7900-xt", 2, 1), pc("amd-rx-7800-xt", 2, 1),
      pc("amd-rx-6800-xt", 2, 1), pc("amd-rx-9070-xt", 2, 1),
      mac("apple-m1-pro-16c", 2, 10, 16, 32), mac("apple-m1-max-32c", 3, 10, 32, 64), mac("apple-m2-8c", 2, 8, 16, 24),
      mac("apple-m2-max-38c", 2, 12, 32, 64, 96), mac("apple-m2-ultra-76c", 1, 24, 128, 192), mac("apple-m3-pro-18c", 1, 12, 18, 36),
      mac("apple-m3-max-40c", 3, 16, 48, 64, 128), mac("apple-m4-10c", 2, 10, 16, 24, 32), mac("apple-m4-pro-20c", 3, 14, 24, 48, 64),
      mac("apple-m4-max-40c", 2, 16, 48, 64, 128));

  /** A CPU as /proc/cpuinfo names it: physical cores and hardware threads. */
  record CpuModel(String name, int cores, int threads) {}

  static final List<CpuModel> DESKTOP_CPUS = List.of(
      new CpuModel("AMD Ryzen 9 7950X 16-Core Processor", 16, 32), new CpuModel("AMD Ryzen 7 7800X3D 8-Core Processor", 8, 16),
      new CpuModel("AMD Ryzen 7 5800X3D 8-Core Processor", 8, 16), new CpuModel("AMD Ryzen 5 5600X 6-Core Processor", 6, 12),
      new CpuModel("13th Gen Intel(R) Core(TM) i7-13700K", 16, 24), new CpuModel("12th Gen Intel(R) Core(TM) i5-12400F", 6, 12));
  static final List<CpuModel> LAPTOP_CPUS = List.of(
      new CpuModel("13th Gen Intel(R) Core(TM) i9-13980HX", 24, 32), new CpuModel("AMD Ryzen 9 7945HX with Radeon Graphics", 16, 32));
  static final CpuModel WORKSTATION_CPU = new CpuModel("AMD Ryzen Threadripper PRO 5975WX 32-Cores", 32, 64);

  static final List<String> OLLAMA_VERSIONS = List.of("0.6.8", "0.9.6", "0.11.4", "0.12.3");
  static final List<String> LLAMA_CPP_BUILDS = List.of("b5602-745aa531", "b6002-9a963896", "b6423-d413dca0");
  static final List<String> NVIDIA_LINUX_DRIVERS = List.of("550.144.03", "570.153.02", "575.64.03");
  static final List<String> NVIDIA_WINDOWS_DRIVERS = List.of("566.36", "572.83", "576.88");
  static final List<String> AMD_DRIVERS = List.of("6.10.5", "6.12.12");

  /** The OS record the agent's detector fills in for a family. */
  static OperatingSystem operatingSystem(Random r, String family) {
    int i = r.nextInt(3);
    return switch (family) {
      case "macos" -> OperatingSystem.newBuilder().setName(family).setVersion(List.of("14.7.4", "15.3.2", "15.5").get(i))
          .setKernel(List.of("23.6.0", "24.3.0", "24.5.0").get(i)).setArchitecture("aarch64").build();
      // Java's os.version says 10.0 on Windows 11 too; the agent reads no kernel there.
      case "windows" -> OperatingSystem.newBuilder().setName(family).setVersion("10.0").setKernel(null).setArchitecture("x86_64").build();
      default -> OperatingSystem.newBuilder().setName(family)
          .setVersion(List.of("Ubuntu 24.04.2 LTS", "Ubuntu 22.04.5 LTS", "Fedora Linux 41 (Workstation Edition)").get(i))
          .setKernel(List.of("6.8.0-57-generic", "6.8.0-52-generic", "6.13.8-200.fc41.x86_64").get(i)).setArchitecture("x86_64").build();
    };
  }

  static <T> T pick(Random r, List<T> items) {
    return items.get(r.nextInt(items.size()));
  }

  static <T> T choose(Random r, List<Choice<T>> choices) {
    return weighted(r, choices, choice -> choice.weight()).value();
  }

  static <T> T weighted(Random r, List<T> items, ToIntFunction<T> weight) {
    int remaining = r.nextInt(items.stream().mapToInt(weight).sum());
    for (T item : items) {
      remaining -= weight.applyAsInt(item);
      if (remaining < 0) {
        return item;
      }
    }
    throw new IllegalStateException("weights changed while choosing");
  }
}
