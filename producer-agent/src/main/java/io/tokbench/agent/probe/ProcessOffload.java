package io.tokbench.agent.probe;

import io.tokbench.agent.detect.HostProbe;
import io.tokbench.agent.detect.Rig;
import io.tokbench.agent.gguf.LocalModelFile;
import io.tokbench.agent.residence.GpuLayers;
import io.tokbench.agent.residence.GpuProcessMemory;
import io.tokbench.agent.residence.ListeningProcess;
import io.tokbench.normalize.ModelShape;
import io.tokbench.schema.Architecture;
import io.tokbench.schema.Backend;
import io.tokbench.schema.BackendSource;
import io.tokbench.schema.OffloadMethod;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Where a server that does not account for its model's memory (llama-server, an OpenAI-compatible
 * server) keeps it, judged from its process when it runs on this machine: the process listening on
 * the server's port, what its command line asks ({@link GpuLayers}), and the GPU memory the vendor
 * tools list for it ({@link GpuProcessMemory}), which also names the backend it computes with.
 *
 * <ol>
 *   <li>{@code --device none} or {@code -ngl 0}: nothing on the GPU, whatever the tools say.
 *   <li>Listed by no GPU tool: unknown (a Vulkan or CPU build, another user's server, a container).
 *   <li>An explicit layer count or {@code all}: the share it asks for ({@code LAYERS_REQUESTED}),
 *       as llama.cpp loads exactly that or fails.
 *   <li>Otherwise ({@code auto}, or another server): the process's GPU memory against the model's
 *       weights plus the KV cache of one slot's context ({@code PROCESS_VRAM}). At least that much
 *       means all of it is there; less gives the share it covers, never quite 1. The process also
 *       holds compute buffers and its driver context, so a model short of a layer or two can pass
 *       for whole; the report says the method, so the aggregator can weigh it.
 * </ol>
 */
public final class ProcessOffload {
  /** A share below 1 stays below the full-offload threshold however it is rounded. */
  static final double MOST_OF_IT = 0.99;

  private final HostProbe host;
  private final ListeningProcess listening;
  private final Path proc;

  public ProcessOffload(HostProbe host, Path proc) {
    this.host = host;
    this.listening = new ListeningProcess(proc);
    this.proc = proc;
  }

  public static ProcessOffload system() {
    return new ProcessOffload(HostProbe.system(), Path.of("/proc"));
  }

  /** The offload, when the server's process can be found and says enough; empty otherwise. */
  public Optional<Offload> judge(Rig rig, String url, ModelDescription model, OptionalInt contextTokens) {
    if (rig.gpus().isEmpty() || !LocalModelFile.isLocal(url)) {
      return Optional.empty();
    }
    OptionalInt port = port(url);
    OptionalLong pid = port.isPresent() ? listening.pid(port.getAsInt()) : OptionalLong.empty();
    if (pid.isEmpty()) {
      return Optional.empty();
    }
    Optional<GpuLayers> layers = GpuLayers.ofProcess(proc, pid.getAsLong());
    OptionalInt blocks = model.architecture().map(Architecture::getBlockCount).filter(b -> b > 0).map(OptionalInt::of).orElse(OptionalInt.empty());
    OptionalDouble requested = layers.map(l -> l.share(blocks)).orElse(OptionalDouble.empty());
    if (requested.isPresent() && requested.getAsDouble() == 0) {
      return Optional.of(new Offload(Optional.of(0.0), OffloadMethod.LAYERS_REQUESTED, Backend.CPU, BackendSource.NOT_ON_GPU));
    }
    Optional<GpuProcessMemory> gpu = GpuProcessMemory.of(host, pid.getAsLong());
    if (gpu.isEmpty()) {
      return Optional.empty();
    }
    Backend backend = gpu.get().backend();
    if (requested.isPresent()) {
      return Optional.of(new Offload(Optional.of(requested.getAsDouble()), OffloadMethod.LAYERS_REQUESTED, backend, BackendSource.RUNTIME_PROCESS));
    }
    OptionalLong needed = fullOffloadBytes(model, contextTokens);
    if (gpu.get().bytes().isEmpty() || needed.isEmpty() || layers.map(GpuLayers::weightsOnCpu).orElse(false)) {
      return Optional.of(new Offload(Optional.empty(), OffloadMethod.UNKNOWN, backend, BackendSource.RUNTIME_PROCESS));
    }
    long held = gpu.get().bytes().getAsLong();
    double share = held >= needed.getAsLong() ? 1.0 : Math.min(MOST_OF_IT, held / (double) needed.getAsLong());
    return Optional.of(new Offload(Optional.of(share), OffloadMethod.PROCESS_VRAM, backend, BackendSource.RUNTIME_PROCESS));
  }

  /** The weights (the file's tensors) and one slot's KV cache at f16, when both are known. */
  static OptionalLong fullOffloadBytes(ModelDescription model, OptionalInt contextTokens) {
    if (model.fileSizeBytes().isEmpty() || model.fileSizeBytes().getAsLong() <= 0) {
      return OptionalLong.empty();
    }
    long kv = 0;
    if (contextTokens.isPresent()) {
      OptionalLong perToken = model.architecture().map(a -> ModelShape.kvCacheBytesPerToken(a, ModelShape.F16_BYTES)).orElse(OptionalLong.empty());
      if (perToken.isEmpty()) {
        return OptionalLong.empty();
      }
      kv = perToken.getAsLong() * contextTokens.getAsInt();
    }
    return OptionalLong.of(model.fileSizeBytes().getAsLong() + kv);
  }

  private static OptionalInt port(String url) {
    try {
      URI uri = URI.create(url);
      if (uri.getPort() > 0) {
        return OptionalInt.of(uri.getPort());
      }
      return "https".equalsIgnoreCase(uri.getScheme()) ? OptionalInt.of(443) : "http".equalsIgnoreCase(uri.getScheme()) ? OptionalInt.of(80) : OptionalInt.empty();
    } catch (IllegalArgumentException e) {
      return OptionalInt.empty();
    }
  }
}
