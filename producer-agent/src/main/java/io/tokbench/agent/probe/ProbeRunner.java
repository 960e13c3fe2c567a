package io.tokbench.agent.probe;

import io.tokbench.agent.detect.Rig;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
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
  private final ProcessOffload processOffload;
  private final PromptBuilder prompts = new PromptBuilder();

  public ProbeRunner(RuntimeClient runtime, ProbeSuite suite, ProbeListener listener, PowerSampler power, Clock clock) {
    this(runtime, suite, listener, power, clock, ProcessOffload.system());
  }

  public ProbeRunner(RuntimeClient runtime, ProbeSuite suite, ProbeListener listener, PowerSampler power, Clock clock, ProcessOffload processOffload) {
    this.processOffload = processOffload;
    this.runtime = runtime;
    this.suite = suite;
    this.listener = listener;
    this.power = power;
    this.clock = clock;
  }

  /**
   * Probes one model at each context size and concurrency level.
   *
   * @param model the model as requests name it
   * @param contextSizes the contexts to request, or the one the server fixes (0 when unknown)
   */
  public List<ProbeResult> probe(String model, ModelDescription description, Rig rig, List<Integer> contextSizes, List<Integer> concurrencyLevels) {
    List<ProbeResult> results = new ArrayList<>();
    for (int context : contextSizes) {
      listener.phase(description.name(), context, "warm-up", 1);
      Generation warmUp = generate(model, context);
      listener.step();
      Optional<LoadedModel> loaded = runtime.loaded(model);
      Offload offload = Offload.determine(rig, loaded,
          () -> processOffload.judge(rig, runtime.url(), description, context > 0 ? OptionalInt.of(context) : OptionalInt.empty()));

      for (int concurrency : concurrencyLevels) {
        Measured measured = measureWithRetry(model, description.name(), context, concurrency);
        results.add(new ProbeResult(
            model, description, context, concurrency, measured.generations(), measured.aggregateRates(), warmUp.loadNanos(),
            loaded, offload, measured.noisy(), truncated(measured.generations()), measured.watts(), clock.instant()));
      }
    }
    return results;
  }

  /** One request with a fresh prompt; its answer sharpens the prompt sizing. */
  private Generation generate(String model, int context) {
    PromptBuilder.Prompt prompt = prompts.build(suite.promptTokens());
    Generation generation = runtime.generate(new GenerationRequest(model, prompt.text(), context, suite.generatedTokens(), suite.seed(), 0.0));
    prompts.calibrate(prompt, generation.depth());
    return generation;
  }

  private Measured measureWithRetry(String model, String label, int context, int concurrency) {
    Measured first = measure(model, label, context, concurrency);
    if (first.coefficientOfVariation() <= suite.maxCoefficientOfVariation()) {
      return first;
    }
    listener.note(String.format("%s @%d x%d: generation rate varied %.0f%% between repetitions; measuring once more",
        label, context, concurrency, first.coefficientOfVariation() * 100));
    Measured second = measure(model, label, context, concurrency);
    boolean noisy = second.coefficientOfVariation() > suite.maxCoefficientOfVariation();
    if (noisy) {
      listener.note(String.format("%s @%d x%d: still %.0f%%; report flagged noisy", label, context, concurrency, second.coefficientOfVariation() * 100));
    }
    return second.withNoisy(noisy);
  }

  private Measured measure(String model, String label, int context, int concurrency) {
    String phase = concurrency == 1 ? "repetitions" : "concurrency " + concurrency;
    listener.phase(label, context, phase, suite.repetitions());
    PowerSampler.Sampling sampling = power.start();
    List<Generation> generations = new ArrayList<>();
    List<Double> aggregateRates = new ArrayList<>();
    List<Double> streamRates = new ArrayList<>();
    for (int rep = 0; rep < suite.repetitions(); rep++) {
      List<Generation> streams = concurrency == 1 ? List.of(generate(model, context)) : parallel(model, context, concurrency);
      generations.addAll(streams);
      streams.forEach(g -> streamRates.add(g.generationTokensPerSecond()));
      aggregateRates.add(aggregateRate(streams));
      listener.step();
    }
    OptionalDouble watts = sampling.stopAndAverageWatts();
    return new Measured(generations, aggregateRates, Samples.of(streamRates).coefficientOfVariation(), false, watts);
  }

  /**
   * All streams' generated tokens over the generation phase's wall time: from the first stream's
   * first token to the end of the last stream's generation, each stream's generation placed at its
   * first token's arrival and lasting what its clock timed. Prompt processing before the first
   * token stays out at every concurrency, so one stream's aggregate is its generation rate.
   */
  static double aggregateRate(List<Generation> streams) {
    long start = streams.stream().mapToLong(Generation::firstTokenAtNanos).min().orElseThrow();
    long end = streams.stream().mapToLong(Generation::generationEndAtNanos).max().orElseThrow();
    long tokens = streams.stream().mapToLong(Generation::decodeSteps).sum();
    return tokens / (Math.max(1, end - start) / 1e9);
  }

  private List<Generation> parallel(String model, int context, int concurrency) {
    ExecutorService pool = Executors.newFixedThreadPool(concurrency);
    try {
      List<Future<Generation>> futures = new ArrayList<>();
      for (int i = 0; i < concurrency; i++) {
        futures.add(pool.submit(() -> generate(model, context)));
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
      throw new RuntimeErrorException("a concurrent request failed: " + e.getCause().getMessage(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RuntimeErrorException("interrupted", e);
    } finally {
      pool.shutdownNow();
    }
  }

  /** The runtime saw clearly fewer prompt tokens than the suite sent: it cut the prompt. */
  private boolean truncated(List<Generation> generations) {
    return generations.stream().anyMatch(g -> g.depth() > 0 && g.depth() < 0.9 * suite.promptTokens());
  }

  private record Measured(List<Generation> generations, List<Double> aggregateRates, double coefficientOfVariation, boolean noisy, OptionalDouble watts) {
    Measured withNoisy(boolean flag) {
      return new Measured(generations, aggregateRates, coefficientOfVariation, flag, watts);
    }
  }
}
