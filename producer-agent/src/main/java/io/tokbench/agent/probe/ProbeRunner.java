package io.tokbench.agent.probe;

import io.tokbench.agent.detect.Rig;
import io.tokbench.schema.Backend;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs the suite for one model: per context size a warm-up that loads the model (not counted),
 * then the repetitions, then the optional concurrency sweep. Each (context, concurrency) shape
 * becomes one {@link ProbeResult}.
 */
public final class ProbeRunner {
  private final RuntimeClient runtime;
  private final ProbeSuite suite;
  private final ProbeListener listener;
  private final PowerSampler power;
  private final Clock clock;
  private final PromptBuilder prompts = new PromptBuilder();

  public ProbeRunner(RuntimeClient runtime, ProbeSuite suite, ProbeListener listener, PowerSampler power, Clock clock) {
    this.runtime = runtime;
    this.suite = suite;
    this.listener = listener;
    this.power = power;
    this.clock = clock;
  }

  /** Probes one model at each context size and concurrency level. */
  public List<ProbeResult> probe(String model, ModelDescription description, Rig rig, List<Integer> contextSizes, List<Integer> concurrencyLevels) {
    List<ProbeResult> results = new ArrayList<>();
    for (int context : contextSizes) {
      listener.phase(model, context, "warm-up", 1);
      PromptBuilder.Prompt warmPrompt = prompts.build(suite.promptTokens());
      Generation warmUp = runtime.generate(request(model, warmPrompt, context));
      prompts.calibrate(warmPrompt, warmUp.promptTokens());
      listener.step();
      Optional<LoadedModel> loaded = runtime.loaded(model);
      Backend backend = backend(rig, loaded);

      for (int concurrency : concurrencyLevels) {
        Measured measured = measureWithRetry(model, context, concurrency);
        results.add(new ProbeResult(
            model, description, context, concurrency, measured.generations(), measured.aggregateRates(), warmUp.loadNanos(),
            loaded, backend, measured.noisy(), truncated(measured.generations()), measured.watts(), clock.instant()));
      }
    }
    return results;
  }

  private Measured measureWithRetry(String model, int context, int concurrency) {
    Measured first = measure(model, context, concurrency);
    if (first.coefficientOfVariation() <= suite.maxCoefficientOfVariation()) {
      return first;
    }
    listener.note(String.format("%s @%d: generation rate varied %.0f%% between repetitions; measuring once more",
        model, context, first.coefficientOfVariation() * 100));
    Measured second = measure(model, context, concurrency);
    boolean noisy = second.coefficientOfVariation() > suite.maxCoefficientOfVariation();
    if (noisy) {
      listener.note(String.format("%s @%d: still %.0f%%; report flagged noisy", model, context, second.coefficientOfVariation() * 100));
    }
    return second.withNoisy(noisy);
  }

  private Measured measure(String model, int context, int concurrency) {
    String phase = concurrency == 1 ? "repetitions" : "concurrency " + concurrency;
    listener.phase(model, context, phase, suite.repetitions());
    PowerSampler.Sampling sampling = power.start();
    List<Generation> generations = new ArrayList<>();
    List<Double> aggregateRates = new ArrayList<>();
    List<Double> streamRates = new ArrayList<>();
    for (int rep = 0; rep < suite.repetitions(); rep++) {
      if (concurrency == 1) {
        Generation g = runtime.generate(request(model, prompts.build(suite.promptTokens()), context));
        generations.add(g);
        streamRates.add(g.generationTokensPerSecond());
      } else {
        long start = System.nanoTime();
        List<Generation> parallel = parallel(model, context, concurrency);
        long wall = System.nanoTime() - start;
        generations.addAll(parallel);
        parallel.forEach(g -> streamRates.add(g.generationTokensPerSecond()));
        aggregateRates.add(parallel.stream().mapToInt(Generation::generatedTokens).sum() / (wall / 1e9));
      }
      listener.step();
    }
    OptionalDouble watts = sampling.stopAndAverageWatts();
    return new Measured(generations, aggregateRates, Samples.of(streamRates).coefficientOfVariation(), false, watts);
  }

  private List<Generation> parallel(String model, int context, int concurrency) {
    ExecutorService pool = Executors.newFixedThreadPool(concurrency);
    try {
      List<Future<Generation>> futures = new ArrayList<>();
      for (int i = 0; i < concurrency; i++) {
        GenerationRequest request = request(model, prompts.build(suite.promptTokens()), context);
        futures.add(pool.submit(() -> runtime.generate(request)));
      }
      List<Generation> results = new ArrayList<>();
      for (Future<Generation> future : futures) {
        results.add(future.get());
      }
      return results;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException runtimeException) {
        throw runtimeException;
      }
      throw new RuntimeUnavailableException("concurrent request failed: " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RuntimeUnavailableException("interrupted", e);
    } finally {
      pool.shutdownNow();
    }
  }

  /** The runtime evaluated clearly fewer prompt tokens than the suite sent: it cut the prompt. */
  private boolean truncated(List<Generation> generations) {
    return generations.stream().anyMatch(g -> g.promptTokens() > 0 && g.promptTokens() < 0.9 * suite.promptTokens());
  }

  private GenerationRequest request(String model, PromptBuilder.Prompt prompt, int context) {
    return new GenerationRequest(model, prompt.text(), context, suite.generatedTokens(), suite.seed(), 0.0);
  }

  /** Nothing of the model in GPU memory means the CPU did the work, whatever GPUs the rig has. */
  private static Backend backend(Rig rig, Optional<LoadedModel> loaded) {
    if (loaded.isPresent() && loaded.get().sizeVramBytes() == 0) {
      return Backend.CPU;
    }
    return rig.likelyBackend();
  }

  private record Measured(List<Generation> generations, List<Double> aggregateRates, double coefficientOfVariation, boolean noisy, OptionalDouble watts) {
    Measured withNoisy(boolean flag) {
      return new Measured(generations, aggregateRates, coefficientOfVariation, flag, watts);
    }
  }
}
