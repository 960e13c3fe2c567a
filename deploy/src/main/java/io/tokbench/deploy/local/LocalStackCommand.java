package io.tokbench.deploy.local;

import io.tokbench.aggregator.app.ShortUsageErrors;
import io.tokbench.aggregator.app.StopSignals;
import io.tokbench.deploy.demo.DemoFeed;
import io.tokbench.deploy.demo.DemoFleet;
import io.tokbench.deploy.demo.PublishedFeed;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/** {@code tokbench-local}: runs the local stack in the foreground until Ctrl-C. */
@Command(
    name = "tokbench-local",
    mixinStandardHelpOptions = true,
    version = "tokbench 0.1.0",
    description = {
      "Runs a real Kafka broker (KRaft, single node), a Confluent-compatible schema registry and the",
      "aggregator with its API in one process, for trying tokbench on one machine. Data survives",
      "restarts in --data-dir. The web page is at the aggregator's address.",
      "Demo mode feeds a simulated fleet (300 rigs, concurrency sweeps, outliers and malformed",
      "reports) through the real pipeline so every page has data within a minute; by default it runs",
      "when no Ollama answers at --ollama-url, and it publishes the fleet once per data directory.",
      "--demo published loads real results people published instead (the llama.cpp scoreboards and more, see",
      "--published): each as the report importing its table would have made, once per data directory; then",
      "'tokbench-aggregator evaluate --api URL' scores the estimator on what the pipeline made of them.",
      "Stop with Ctrl-C or SIGTERM (exit code 0 once everything stopped cleanly; a second Ctrl-C",
      "while stopping ends it at once with 130)."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:stopped cleanly (Ctrl-C or SIGTERM)", "1:failed to start (port in use, unreadable data dir, ...)", "2:bad command-line option",
        "130:a second Ctrl-C cut the stop short"})
public final class LocalStackCommand implements Callable<Integer> {

  @Option(names = "--data-dir", paramLabel = "DIR", description = "Kafka's data directory (default: ${DEFAULT-VALUE}).")
  Path dataDir = Path.of(System.getProperty("user.home"), ".tokbench", "local-stack");

  @Option(names = "--host", description = "Interface to listen on and advertise (default: ${DEFAULT-VALUE}).")
  String host = "localhost";

  @Option(names = "--kafka-port", description = "Kafka client port (default: ${DEFAULT-VALUE}).")
  int kafkaPort = LocalStack.Config.DEFAULT_KAFKA_PORT;

  @Option(names = "--controller-port", description = "KRaft controller port, internal (default: Kafka port + 1).")
  Integer controllerPort;

  @Option(names = "--registry-port", description = "Schema registry HTTP port (default: ${DEFAULT-VALUE}).")
  int registryPort = LocalStack.Config.DEFAULT_REGISTRY_PORT;

  @Option(names = "--api-port", description = "Aggregator API port (default: ${DEFAULT-VALUE}).")
  int apiPort = LocalStack.Config.DEFAULT_API_PORT;

  @Option(names = "--internal-port", description = "Aggregator's internal port: /metrics, /health, /ready, /admin/v1 (default: ${DEFAULT-VALUE}).")
  int internalPort = LocalStack.Config.DEFAULT_INTERNAL_PORT;

  /** Whether to feed the simulated fleet, or the published results. */
  enum Demo { auto, on, off, published }

  @Option(names = "--demo", description = "Feed a simulated fleet (auto, on, off) or the published results (published) "
      + "(default: ${DEFAULT-VALUE}: the fleet unless Ollama answers).")
  Demo demo = Demo.auto;

  @Option(names = "--published", paramLabel = "DIR", description = "The published results --demo published loads (default: ${DEFAULT-VALUE}, "
      + "from the repository's root).")
  Path published = Path.of("stream-aggregator", "src", "test", "resources", "published");

  @Option(names = "--ollama-url", description = "Where --demo auto looks for a local Ollama (default: ${DEFAULT-VALUE}).")
  URI ollamaUrl = URI.create("http://localhost:11434");

  @Option(names = "--demo-interval", description = "Seconds between two live demo reports (default: ${DEFAULT-VALUE}).")
  int demoIntervalSeconds = 3;

  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    if (demoIntervalSeconds < 1) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--demo-interval must be at least 1 second, not " + demoIntervalSeconds);
    }
    if (demo == Demo.published && !Files.isRegularFile(published.resolve("sources.csv"))) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--published " + published + ": no published results there (no sources.csv)");
    }
    LocalStack.Config config =
        new LocalStack.Config(dataDir, host, kafkaPort, controllerPort == null ? kafkaPort + 1 : controllerPort, registryPort, apiPort, internalPort);
    // Before starting: a Ctrl-C during start-up then stops the stack as soon as it is up.
    StopSignals signals = StopSignals.install();
    LocalStack stack;
    try {
      stack = LocalStack.start(config);
    } catch (RuntimeException e) {
      System.err.println("tokbench-local: cannot start: " + rootMessage(e));
      return 1;
    }
    boolean feedDemo = demo == Demo.on || (demo == Demo.auto && !ollamaAnswers(ollamaUrl));
    DemoFeed feed;
    PublishedFeed.Loaded loaded;
    try {
      feed = feedDemo ? DemoFeed.start(stack.bootstrapServers(), stack.registryUrl(), dataDir, Duration.ofSeconds(demoIntervalSeconds), Clock.systemUTC()) : null;
      loaded = demo == Demo.published ? PublishedFeed.load(published, stack.bootstrapServers(), stack.registryUrl(), dataDir, Clock.systemUTC()) : null;
    } catch (IOException | RuntimeException e) {
      stack.close();
      System.err.println("tokbench-local: cannot feed the " + (demo == Demo.published ? "published results" : "demo fleet") + ": " + rootMessage(e));
      return 1;
    }
    AtomicBoolean stopping = new AtomicBoolean();
    Runnable stop = () -> {
      if (stopping.compareAndSet(false, true)) {
        System.out.println("Stopping the local stack...");
        if (feed != null) {
          feed.close();
        }
        stack.close();
        System.out.println("Stopped.");
      }
    };
    // Any other way out (SIGHUP, a fatal error elsewhere) still closes the broker's log cleanly.
    Runtime.getRuntime().addShutdownHook(new Thread(stop, "tokbench-local-shutdown"));
    System.out.println("tokbench local stack is up");
    System.out.println("  Kafka bootstrap servers : " + stack.bootstrapServers());
    System.out.println("  Schema registry         : " + stack.registryUrl());
    System.out.println("  Web page                : " + stack.apiUrl() + "/");
    System.out.println("  Aggregator API          : " + stack.apiUrl() + "/api/v1/stats");
    System.out.println("  Metrics and health      : " + stack.internalUrl() + "/metrics");
    System.out.println("  Data directory          : " + dataDir.toAbsolutePath());
    if (loaded != null) {
      System.out.println("  Demo                    : " + loaded.reports().size() + " published results from " + loaded.rigs() + " rigs on " + loaded.gpus()
          + " GPUs, " + (loaded.sent() ? "loaded from " + published : "loaded before into this data directory"));
      System.out.println("  Evaluate the estimator  : bin/tokbench-aggregator evaluate --api " + stack.apiUrl());
    } else {
      System.out.println(feed != null
          ? "  Demo                    : a simulated fleet of " + DemoFleet.DEFAULT_RIGS + " rigs, one live report every " + demoIntervalSeconds + " s (--demo off to disable)"
          : "  Demo                    : off (" + (demo == Demo.off ? "--demo off" : "Ollama answers at " + ollamaUrl) + "; probe it with bin/tokbench-agent probe)");
    }
    System.out.println("Press Ctrl-C to stop.");
    signals.await();
    stop.run();
    return 0;
  }

  /** A local Ollama answers its version endpoint (docs/api.md, "Version"). */
  static boolean ollamaAnswers(URI base) {
    try {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
      HttpResponse<Void> response = http.send(HttpRequest.newBuilder(base.resolve("/api/version")).timeout(Duration.ofSeconds(2)).build(),
          HttpResponse.BodyHandlers.discarding());
      return response.statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + root.getMessage() + ")";
  }

  public static void main(String[] args) {
    System.exit(ShortUsageErrors.commandLine(new LocalStackCommand()).execute(args));
  }
}
