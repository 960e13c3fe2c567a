package io.tokbench.agent.residence;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * What a llama-server's command line and environment ask of the GPU, as its {@code --help} lists
 * them: {@code -ngl/--gpu-layers/--n-gpu-layers N|auto|all} (env {@code LLAMA_ARG_N_GPU_LAYERS},
 * default {@code auto}: as many as {@code --fit} finds room for), {@code -dev/--device none} (env
 * {@code LLAMA_ARG_DEVICE}), and what keeps weights on the CPU whatever the layers:
 * {@code -cmoe/--cpu-moe}, {@code -ncmoe/--n-cpu-moe N}, {@code -ot/--override-tensor}. An argument
 * wins over its environment variable. llama.cpp takes values as the next argument only
 * ({@code --n-gpu-layers=0} is refused), so that is the form read here.
 *
 * @param kind what the layers request says
 * @param layers the number asked for, when {@code kind} is {@link Kind#COUNT}
 * @param weightsOnCpu experts or tensors kept on the CPU by request
 */
public record GpuLayers(Kind kind, int layers, boolean weightsOnCpu) {
  /** Every layer, as llama.cpp counts them: the blocks and the output layer. */
  public static final int ALL_LAYERS = 999;

  public enum Kind {
    /** Not a llama-server, so its arguments mean nothing here. */
    OTHER_SERVER,
    /** As many as fit (the default). */
    AUTO,
    ALL,
    COUNT,
    /** {@code --device none}: nothing offloaded. */
    NO_DEVICE
  }

  /** Reads {@code /proc/PID/cmdline} and {@code /proc/PID/environ}; empty when they cannot be read. */
  public static Optional<GpuLayers> ofProcess(Path proc, long pid) {
    try {
      Path process = proc.resolve(Long.toString(pid));
      List<String> args = ProcessTable.arguments(process);
      Map<String, String> env = new HashMap<>();
      if (Files.isReadable(process.resolve("environ"))) {
        for (String entry : ProcessTable.nulSeparated(Files.readAllBytes(process.resolve("environ")))) {
          int eq = entry.indexOf('=');
          if (eq > 0) {
            env.put(entry.substring(0, eq), entry.substring(eq + 1));
          }
        }
      }
      return Optional.of(parse(args, env));
    } catch (IOException | SecurityException e) {
      return Optional.empty();
    }
  }

  public static GpuLayers parse(List<String> args, Map<String, String> env) {
    if (!ProcessTable.isLlamaServer(args)) {
      return new GpuLayers(Kind.OTHER_SERVER, 0, false);
    }
    Optional<String> layers = Optional.ofNullable(env.get("LLAMA_ARG_N_GPU_LAYERS"));
    Optional<String> device = Optional.ofNullable(env.get("LLAMA_ARG_DEVICE"));
    boolean weightsOnCpu = env.containsKey("LLAMA_ARG_CPU_MOE") && !isOff(env.get("LLAMA_ARG_CPU_MOE"))
        || positive(env.get("LLAMA_ARG_N_CPU_MOE")) || env.containsKey("LLAMA_ARG_OVERRIDE_TENSOR");
    for (int i = 1; i < args.size(); i++) {
      String arg = args.get(i);
      Optional<String> value = i + 1 < args.size() ? Optional.of(args.get(i + 1)) : Optional.empty();
      switch (arg) {
        case "-ngl", "--gpu-layers", "--n-gpu-layers" -> layers = value.or(() -> Optional.of(""));
        case "-dev", "--device" -> device = value.or(() -> Optional.of(""));
        case "-cmoe", "--cpu-moe", "-ot", "--override-tensor" -> weightsOnCpu = true;
        case "-ncmoe", "--n-cpu-moe" -> weightsOnCpu |= positive(value.orElse(null));
        default -> { }
      }
    }
    if (device.filter(d -> d.trim().equalsIgnoreCase("none")).isPresent()) {
      return new GpuLayers(Kind.NO_DEVICE, 0, weightsOnCpu);
    }
    String requested = layers.map(String::trim).orElse("auto");
    if (requested.equalsIgnoreCase("all")) {
      return new GpuLayers(Kind.ALL, 0, weightsOnCpu);
    }
    try {
      return new GpuLayers(Kind.COUNT, Integer.parseInt(requested), weightsOnCpu);
    } catch (NumberFormatException e) {
      return new GpuLayers(Kind.AUTO, 0, weightsOnCpu); // "auto", or a value the server would refuse anyway
    }
  }

  /**
   * The share of the model asked to sit in GPU memory: everything, nothing, or the layers asked
   * for over the model's blocks plus its output layer; unknown for {@code auto} and when weights are
   * kept on the CPU by pattern.
   */
  public OptionalDouble share(OptionalInt blocks) {
    return switch (kind) {
      case NO_DEVICE -> OptionalDouble.of(0.0);
      case ALL -> weightsOnCpu ? OptionalDouble.empty() : OptionalDouble.of(1.0);
      case COUNT -> weightsOnCpu && layers != 0 ? OptionalDouble.empty() : share(layers, blocks);
      case AUTO, OTHER_SERVER -> OptionalDouble.empty();
    };
  }

  /**
   * llama.cpp's reading of a layer count: negative (llama-bench's default) or at least every
   * layer means all, 0 none, anything between a share of the blocks plus the output layer.
   */
  public static OptionalDouble share(int layers, OptionalInt blocks) {
    if (layers == 0) {
      return OptionalDouble.of(0.0);
    }
    boolean known = blocks.isPresent() && blocks.getAsInt() > 0;
    if (layers < 0 || layers >= ALL_LAYERS || (known && layers > blocks.getAsInt())) {
      return OptionalDouble.of(1.0);
    }
    return known ? OptionalDouble.of(layers / (double) (blocks.getAsInt() + 1)) : OptionalDouble.empty();
  }

  private static boolean positive(String value) {
    try {
      return value != null && Integer.parseInt(value.trim()) > 0;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static boolean isOff(String value) {
    String v = value.trim().toLowerCase(java.util.Locale.ROOT);
    return v.equals("0") || v.equals("false") || v.equals("off") || v.equals("disabled");
  }

}
