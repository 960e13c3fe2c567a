package io.tokbench.agent.cli;

import io.tokbench.agent.config.AgentConfig;
import io.tokbench.agent.config.RigIdentity;
import io.tokbench.agent.detect.NvidiaPowerSampler;
import io.tokbench.agent.detect.Rig;
import io.tokbench.agent.detect.RigDetector;
import io.tokbench.agent.probe.ContextTooSmallException;
import io.tokbench.agent.probe.ModelDescription;
import io.tokbench.agent.probe.ModelNotFoundException;
import io.tokbench.agent.probe.PowerSampler;
import io.tokbench.agent.probe.ProcessOffload;
import io.tokbench.agent.probe.ProbeResult;
import io.tokbench.agent.probe.ProbeRunner;
import io.tokbench.agent.probe.ProbeSuite;
import io.tokbench.agent.probe.ReportBuilder;
import io.tokbench.agent.probe.RuntimeAuthenticationException;
import io.tokbench.agent.probe.RuntimeClient;
import io.tokbench.agent.probe.RuntimeErrorException;
import io.tokbench.agent.probe.RuntimeInfo;
import io.tokbench.agent.probe.RuntimeUnavailableException;
import io.tokbench.agent.probe.ServerContext;
import io.tokbench.schema.BenchmarkReport;
import io.tokbench.schema.GpuVendor;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** Runs the probe suite and publishes one report per (model, context, concurrency). */
@Command(
    name = "probe",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    // One element per paragraph: picocli wraps each to the help width.
    description = {
      "Times your runtime with the probe suite and publishes the reports.",
      "",
      "For every model and context size: one warm-up request loads the model (not counted; its load time is reported "
          + "separately), then N repetitions of a 512-token prompt and 128 generated tokens (temperature 0, fixed seed). "
          + "Generation runs after the prompt, so about 512 tokens deep: compare with llama-bench's tg128 at -d 512, not "
          + "at depth 0. The report records the depth.",
      "",
      "Each prompt starts with a fresh random nonce and llama.cpp is told not to cache prompts, so no prompt cache can "
          + "inflate prompt-processing rates. A run whose rates vary more than 10%% is repeated once, then flagged noisy. "
          + "Partial GPU offload, silent prompt truncation and generation that ends early are detected and flagged. Rates "
          + "come from the runtime's own timers where it has them.",
      "",
      "llama-server and OpenAI-compatible servers fix the context when they start: the probe measures the context a "
          + "request really gets (llama-server: one slot's share of its -c) and ignores --ctx; a server that does not "
          + "say is recorded as context 0 (unknown).",
      "",
      "Before anything is sent you see exactly what will be sent (skip with --yes). If Kafka or the registry cannot be "
          + "reached, reports are kept in the spool and sent by `flush`."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:measured and delivered (or --dry-run, or you declined)",
      "2:bad option",
      "3:runtime not reachable",
      "4:model not available",
      "5:measured, not delivered: reports are spooled",
      "6:the broker refused the credentials",
      "7:refused by broker or registry",
      "8:the runtime failed (an error answer or an error mid-stream)",
      "9:the runtime wants an API key, or refused the one given",
      "10:the runtime's context is too small for the suite"
    })
final class ProbeCommand implements Callable<Integer> {
  @ParentCommand TokbenchAgent agent;
  @Spec picocli.CommandLine.Model.CommandSpec spec;
  @Mixin RuntimeOptions runtimeOptions;
  @Mixin ConnectionOptions connection;

  @Option(names = {"-m", "--model"}, paramLabel = "MODEL", description = "Model to probe, as the runtime names it (repeatable). Default: every model the runtime has.")
  List<String> models = new ArrayList<>();

  @Option(names = "--ctx", split = ",", paramLabel = "TOKENS", description = "Context sizes to probe, comma-separated (default: ${DEFAULT-VALUE}).")
  List<Integer> contextSizes = new ArrayList<>(List.of(4096));

  @Option(names = "--concurrency", split = ",", paramLabel = "N", description = "Parallel request streams, comma-separated, e.g. 1,2,4,8 (default: ${DEFAULT-VALUE}).")
  List<Integer> concurrency = new ArrayList<>(List.of(1));

  @Option(names = "--repetitions", paramLabel = "N", description = "Measured repetitions per shape (default: 5).")
  Integer repetitions;

  @Option(names = "--prompt-tokens", paramLabel = "N", description = "Prompt length; changing it changes the suite id, so such reports are aggregated apart (default: 512).")
  Integer promptTokens;

  @Option(names = "--gen-tokens", paramLabel = "N", description = "Tokens to generate; changing it changes the suite id (default: 128).")
  Integer genTokens;

  @Option(names = "--pull", description = "Pull missing models first (Ollama), with a progress bar.")
  boolean pull;

  @picocli.CommandLine.Mixin
  PublishOptions publishing = new PublishOptions();

  @Override
  public Integer call() throws IOException {
    PrintWriter err = spec.commandLine().getErr();
    validate();
    AgentConfig config = connection.resolve(agent.environment, runtimeOptions.settings());
    ProbeSuite suite = ProbeSuite.STANDARD.with(promptTokens, genTokens, repetitions);
    RuntimeClient runtime = runtimeOptions.client(config);
    List<BenchmarkReport> reports;
    try {
      reports = measure(runtime, suite, err);
    } catch (RuntimeUnavailableException e) {
      err.println("tokbench-agent: " + runtime.name() + " at " + runtime.url() + " is not reachable: " + e.getMessage() + "; " + runtimeOptions.startHint());
      return ExitCodes.RUNTIME_UNAVAILABLE;
    } catch (ModelNotFoundException e) {
      err.println("tokbench-agent: " + e.getMessage() + "; get it with `" + runtime.pullHint(e.model()) + "`" + (runtime.canPull() ? " or rerun with --pull" : ""));
      return ExitCodes.MODEL_NOT_FOUND;
    } catch (RuntimeAuthenticationException e) {
      err.println("tokbench-agent: " + e.getMessage());
      return ExitCodes.RUNTIME_AUTHENTICATION_FAILED;
    } catch (ContextTooSmallException e) {
      err.println("tokbench-agent: " + e.getMessage() + "; " + runtime.contextHint());
      return ExitCodes.CONTEXT_TOO_SMALL;
    } catch (RuntimeErrorException e) {
      err.println("tokbench-agent: " + e.getMessage());
      return ExitCodes.RUNTIME_FAILED;
    }
    if (reports.isEmpty()) {
      err.println("tokbench-agent: " + runtime.name() + " at " + runtime.url() + " has no models; " + runtimeOptions.noModelsHint());
      return ExitCodes.MODEL_NOT_FOUND;
    }
    return publishing.publication(agent.stdin).publish(reports, config, spec.commandLine().getOut(), err);
  }

  /** Every model at every context and concurrency; empty when the runtime has no models. */
  private List<BenchmarkReport> measure(RuntimeClient runtime, ProbeSuite suite, PrintWriter err) {
    RuntimeInfo info = runtime.info();
    List<String> targets = models.isEmpty() ? runtime.models() : models;
    Rig rig = new RigDetector(agent.host).detect();
    PowerSampler power = rig.gpus().stream().anyMatch(g -> g.vendor() == GpuVendor.NVIDIA) ? new NvidiaPowerSampler(agent.host) : PowerSampler.NONE;
    UUID rigId = RigIdentity.load(agent.environment.configDir());
    ProbeRunner runner = new ProbeRunner(runtime, suite, new ConsoleProgress(err, System.console() != null), power, Clock.systemUTC(),
        new ProcessOffload(agent.host, Path.of("/proc")));
    ReportBuilder builder = new ReportBuilder(rigId, TokbenchAgent.VERSION, suite, rig, info);
    List<BenchmarkReport> reports = new ArrayList<>();
    for (String model : targets) {
      ModelDescription description = describe(runtime, model, err);
      List<Integer> contexts = contexts(runtime, runtime.context(model), suite, description.name(), err);
      for (ProbeResult result : runner.probe(model, description, rig, contexts, concurrency)) {
        reports.add(builder.build(result));
      }
    }
    return reports;
  }

  /**
   * The contexts to measure: the requested ones where requests choose (Ollama); else the one the
   * server gives a request, which must hold the suite, or 0 for a server that does not say.
   */
  private List<Integer> contexts(RuntimeClient runtime, ServerContext context, ProbeSuite suite, String model, PrintWriter err) {
    if (context.requestChooses()) {
      return contextSizes;
    }
    boolean ctxGiven = spec.commandLine().getParseResult().hasMatchedOption("--ctx");
    if (context.tokens().isEmpty()) {
      err.println("note: " + context.description() + "; " + model + "'s reports record the context as unknown (0)" + (ctxGiven ? ", not --ctx" : ""));
      return List.of(0);
    }
    int tokens = context.tokens().getAsInt();
    int needed = suite.promptTokens() + suite.generatedTokens();
    if (tokens < needed) {
      throw new ContextTooSmallException(runtime.name() + " at " + runtime.url() + ": " + context.description() + ", but the suite needs "
          + needed + " (" + suite.promptTokens() + " prompt + " + suite.generatedTokens() + " generated)");
    }
    err.println("note: " + context.description() + "; " + model + " is probed at that context" + (ctxGiven ? ", not at --ctx " + contextSizes : ""));
    return List.of(tokens);
  }

  private ModelDescription describe(RuntimeClient runtime, String model, PrintWriter err) {
    try {
      return runtime.describe(model);
    } catch (ModelNotFoundException e) {
      if (!pull || !runtime.canPull()) {
        throw e;
      }
      ConsoleProgress progress = new ConsoleProgress(err, System.console() != null);
      progress.phase(model, 0, "pull", 100);
      int[] shown = {0};
      runtime.pull(model, fraction -> {
        while (shown[0] < (int) (fraction * 100)) {
          shown[0]++;
          progress.step();
        }
      });
      return runtime.describe(model);
    }
  }

  private void validate() {
    for (int ctx : contextSizes) {
      if (ctx < 512 || ctx > 1_048_576) {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--ctx " + ctx + ": use 512 to 1048576 tokens");
      }
    }
    for (int n : concurrency) {
      if (n < 1 || n > 256) {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--concurrency " + n + ": use 1 to 256");
      }
    }
    if (repetitions != null && (repetitions < ProbeSuite.MIN_REPETITIONS || repetitions > 100)) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--repetitions " + repetitions + ": use " + ProbeSuite.MIN_REPETITIONS + " to 100");
    }
    if (promptTokens != null && promptTokens < ProbeSuite.MIN_PROMPT_TOKENS) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--prompt-tokens " + promptTokens + ": use at least " + ProbeSuite.MIN_PROMPT_TOKENS);
    }
    if (genTokens != null && genTokens < ProbeSuite.MIN_GENERATED_TOKENS) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--gen-tokens " + genTokens + ": use at least " + ProbeSuite.MIN_GENERATED_TOKENS);
    }
  }
}
