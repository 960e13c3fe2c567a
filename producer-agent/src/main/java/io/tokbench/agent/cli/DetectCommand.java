package io.tokbench.agent.cli;

import io.tokbench.agent.config.AgentConfig;
import io.tokbench.agent.config.Setting;
import io.tokbench.agent.detect.DetectedGpu;
import io.tokbench.agent.detect.Rig;
import io.tokbench.agent.detect.RigDetector;
import io.tokbench.agent.probe.LlamaCppClient;
import io.tokbench.agent.probe.OllamaClient;
import io.tokbench.agent.probe.OpenAiCompatibleClient;
import io.tokbench.agent.probe.RuntimeAuthenticationException;
import io.tokbench.agent.probe.RuntimeClient;
import io.tokbench.agent.probe.RuntimeErrorException;
import io.tokbench.agent.probe.RuntimeInfo;
import io.tokbench.agent.probe.RuntimeUnavailableException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** Prints what the agent sees of the rig; sends nothing. */
@Command(
    name = "detect",
    mixinStandardHelpOptions = true,
    description = {
      "Prints what the agent sees of this machine; nothing is sent.",
      "",
      "GPUs (via nvidia-smi, amd-smi or rocm-smi, system_profiler), CPU, memory, OS, and which runtimes answer on "
          + "their usual ports (a port counts as a runtime only when that runtime's own API answers there). GPUs the "
          + "catalog does not know are shown as unknown: their raw name is reported as is, never guessed."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:printed"})
final class DetectCommand implements Callable<Integer> {
  @ParentCommand TokbenchAgent agent;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    Rig rig = new RigDetector(agent.host).detect();
    out.println("GPUs:");
    if (rig.gpus().isEmpty()) {
      out.println("  none found (CPU-only, or no nvidia-smi / amd-smi / rocm-smi / system_profiler)");
    }
    for (DetectedGpu gpu : rig.gpus()) {
      String vram = gpu.vramBytes().isPresent() ? String.format("%.1f GiB", gpu.vramBytes().getAsLong() / 1073741824.0) : "memory unknown";
      String catalog = gpu.spec().map(s -> s.id() + ", " + Math.round(s.bandwidthGBs()) + " GB/s, " + s.backend()).orElse("UNKNOWN to the catalog: reported by raw name");
      out.printf("  %d x %s  (%s; %s%s)%n", gpu.count(), gpu.rawName(), vram, catalog, gpu.driverVersion().map(d -> "; driver " + d).orElse(""));
    }
    out.println("CPU:    " + rig.cpu().model().orElse("unknown") + cores(rig.cpu()));
    out.println("Memory: " + (rig.ramBytes().isPresent() ? String.format("%.1f GiB", rig.ramBytes().getAsLong() / 1073741824.0) : "unknown"));
    out.println("OS:     " + rig.os().name() + rig.os().version().map(v -> " " + v).orElse("") + rig.os().kernel().map(k -> " (kernel " + k + ")").orElse("") + ", " + rig.os().architecture());
    out.println("Runtimes:");
    Duration quick = Duration.ofSeconds(2);
    Optional<String> apiKey = AgentConfig.resolve(Map.of(), agent.environment).get(Setting.RUNTIME_API_KEY);
    List<RuntimeClient> candidates = List.of(
        new OllamaClient(OllamaClient.url(agent.environment.get("OLLAMA_HOST")), quick, apiKey),
        new LlamaCppClient(LlamaCppClient.DEFAULT_URL, quick, apiKey),
        new OpenAiCompatibleClient(OpenAiCompatibleClient.LM_STUDIO_URL, "lmstudio", quick, apiKey),
        new OpenAiCompatibleClient(OpenAiCompatibleClient.DEFAULT_URL, "vllm", quick, apiKey));
    for (RuntimeClient candidate : candidates) {
      out.printf("  %-10s %s  %s%n", candidate.name(), candidate.url(), status(candidate));
    }
    return ExitCodes.OK;
  }

  private static String status(RuntimeClient candidate) {
    try {
      RuntimeInfo info = candidate.info();
      return "version " + info.version().orElse("unknown") + ", " + candidate.models().size() + " model(s)";
    } catch (RuntimeUnavailableException e) {
      return "not found (" + e.getMessage() + ")";
    } catch (RuntimeAuthenticationException e) {
      return "answers, but wants an API key (--api-key or TOKBENCH_RUNTIME_API_KEY)";
    } catch (RuntimeErrorException e) {
      return "answers with an error (" + e.getMessage() + ")";
    }
  }

  private static String cores(Rig.CpuInfo cpu) {
    StringBuilder text = new StringBuilder();
    cpu.cores().ifPresent(c -> text.append(", ").append(c).append(" cores"));
    cpu.threads().ifPresent(t -> text.append(", ").append(t).append(" threads"));
    return text.toString();
  }
}
