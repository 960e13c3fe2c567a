package io.tokbench.aggregator.chaos;

import io.tokbench.agent.publish.DeliveryReport;
import io.tokbench.agent.publish.ReportPublisher;
import io.tokbench.agent.spool.Spool;
import io.tokbench.aggregator.app.Aggregator;
import io.tokbench.aggregator.app.AggregatorConfig;
import io.tokbench.aggregator.query.ApiProtection;
import io.tokbench.aggregator.support.AggregatorProcess;
import io.tokbench.aggregator.support.ExpectedTables;
import io.tokbench.aggregator.support.Exactness;
import io.tokbench.aggregator.support.PublishedTables;
import io.tokbench.aggregator.support.ReportStream;
import io.tokbench.aggregator.support.RunningAggregators;
import io.tokbench.aggregator.topology.TopicInitializer;
import io.tokbench.aggregator.topology.Topics;
import io.tokbench.aggregator.validate.Rejection;
import io.tokbench.schema.BenchmarkReport;
import io.tokbench.schema.RejectedReport;
import io.tokbench.schema.StatsKey;
import io.tokbench.serde.AvroDeserializer;
import io.tokbench.testkit.InProcessKafkaStack;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The fault scenarios, each on a fresh three-broker cluster (replication factor 3,
 * min.insync.replicas 2) with two aggregator instances, a steady stream of reports, and one kind
 * of fault mid-stream; each ends by comparing every published row (through the API and on
 * tokbench.stats) with a recomputation from the full input. The tests run them at CI size, the
 * benchmark at any size.
 */
final class ChaosScenarios {
  static final int PARTITIONS = 6;
  /**
   * The input's shape: 500 models (one row each) and a rig per 10 reports, so a row has about a
   * hundred rigs. (The aggregator recomputes a row from all its rigs on every report, so rows of
   * thousands of rigs would measure that, not the faults.)
   */
  private static final int MODELS = 500;
  private static final int REPORTS_PER_RIG = 10;
  private static final int AGENT_REPORTS = 20;

  private ChaosScenarios() {}

  /**
   * What a scenario did and found.
   *
   * @param api the rows as the API lists them; null when the API refused to list them at the end
   *     ({@code apiRefusal} says why)
   */
  record Result(String scenario, List<String> events, Duration elapsed, Exactness api, String apiRefusal, Exactness topic, String queries,
                Map<String, Long> figures) {
    boolean exact() {
      return (api == null || api.exact()) && topic.exact();
    }

    void print(PrintStream out) {
      out.printf("== %s (%.0f s)%n", scenario, elapsed.toMillis() / 1000.0);
      events.forEach(e -> out.println("  " + e));
      out.println("  " + (api == null ? "API: refused to list the rows at the end: " + apiRefusal : api.summary()));
      out.println("  " + topic.summary());
      if (api != null) {
        api.differences().stream().limit(10).forEach(d -> out.println("    " + d));
      }
      topic.differences().stream().limit(10).forEach(d -> out.println("    " + d));
      out.println("  queries during the fault: " + queries);
      figures.forEach((name, value) -> out.printf("  %s: %,d%n", name, value));
    }
  }

  /** Timestamped notes of what happened, printed as they happen. */
  private static final class Events {
    private final long start = System.nanoTime();
    private final List<String> lines = new ArrayList<>();
    private final String scenario;

    Events(String scenario) {
      this.scenario = scenario;
    }

    void log(String format, Object... args) {
      String line = String.format("[%6.1f s] ", (System.nanoTime() - start) / 1e9) + String.format(format, args);
      lines.add(line);
      System.out.println(scenario + " " + line);
    }

    Duration elapsed() {
      return Duration.ofNanos(System.nanoTime() - start);
    }
  }

  /**
   * A broker killed mid-stream (the aggregators' group coordinator, the hardest one to lose) and
   * started again after {@code downFor}, with two aggregator instances processing throughout.
   */
  static Result brokerLoss(Path dir, int reports, Duration streamFor, Duration downFor) throws Exception {
    Events events = new Events("broker-loss");
    List<BenchmarkReport> input = ReportStream.reports(reports, Math.max(10, reports / REPORTS_PER_RIG), MODELS, 1);
    Map<String, Long> figures = new LinkedHashMap<>();
    try (InProcessKafkaStack stack = startStack()) {
      PublishedTables.StatsTopicReader tables = new PublishedTables.StatsTopicReader(stack);
      String app = "chaos-broker-" + UUID.randomUUID();
      try (Aggregator first = RunningAggregators.startRunning(config(stack, app, dir.resolve("a")));
          Aggregator second = RunningAggregators.startRunning(config(stack, app, dir.resolve("b")));
          QueryProbe probe = new QueryProbe(first.apiUrl());
          ReportStream stream = ReportStream.start(stack, input, streamFor)) {
        events.log("two instances running; streaming %,d reports over %d s", reports, streamFor.toSeconds());
        Thread.sleep(streamFor.toMillis() / 4);
        int victim = groupCoordinator(stack, app);
        long before = tables.reportsCounted();
        stack.killBroker(victim);
        events.log("killed broker %d (the group coordinator) with %,d reports sent, %,d counted", victim, stream.sent(), before);
        Thread.sleep(downFor.toMillis());
        long during = tables.reportsCounted();
        figures.put("reports counted while the broker was down", during - before);
        stack.startBroker(victim);
        events.log("restarted broker %d; %,d reports sent, %,d counted", victim, stream.sent(), during);
        stream.awaitAcknowledged(Duration.ofMinutes(3));
        events.log("all %,d reports acknowledged by the brokers", reports);
        awaitCounted(tables, first.apiUrl(), reports, Duration.ofMinutes(3), events);
        return finish("one broker of three killed mid-stream", events, stack, first.apiUrl(), input, probe, figures);
      }
    }
  }

  /**
   * Every broker stopped in turn and started again, as in a rolling upgrade: each hands its
   * leaderships over first (controlled shutdown) and rejoins before the next one goes.
   */
  static Result rollingBrokerRestart(Path dir, int reports, Duration streamFor) throws Exception {
    Events events = new Events("rolling-restart");
    List<BenchmarkReport> input = ReportStream.reports(reports, Math.max(10, reports / REPORTS_PER_RIG), MODELS, 4);
    Map<String, Long> figures = new LinkedHashMap<>();
    try (InProcessKafkaStack stack = startStack()) {
      PublishedTables.StatsTopicReader tables = new PublishedTables.StatsTopicReader(stack);
      String app = "chaos-rolling-" + UUID.randomUUID();
      try (Aggregator first = RunningAggregators.startRunning(config(stack, app, dir.resolve("a")));
          Aggregator second = RunningAggregators.startRunning(config(stack, app, dir.resolve("b")));
          QueryProbe probe = new QueryProbe(first.apiUrl());
          ReportStream stream = ReportStream.start(stack, input, streamFor)) {
        events.log("two instances running; streaming %,d reports over %d s", reports, streamFor.toSeconds());
        long pause = streamFor.toMillis() / (2 * stack.brokers() + 1);
        for (int broker : stack.brokerIds()) {
          Thread.sleep(pause);
          stack.stopBroker(broker);
          events.log("broker %d stopped (leaderships handed over); %,d reports sent, %,d counted", broker, stream.sent(), tables.reportsCounted());
          Thread.sleep(pause);
          stack.startBroker(broker);
          events.log("broker %d started again", broker);
        }
        figures.put("brokers restarted", (long) stack.brokers());
        stream.awaitAcknowledged(Duration.ofMinutes(3));
        awaitCounted(tables, first.apiUrl(), reports, Duration.ofMinutes(3), events);
        return finish("a rolling restart of the three brokers", events, stack, first.apiUrl(), input, probe, figures);
      }
    }
  }

  /**
   * One of two instances SIGKILLed {@code kills} times at random moments and restarted at once,
   * alternately on its state directory and on an empty one.
   */
  static Result instanceKills(Path dir, int reports, int kills, Duration streamFor, long seed) throws Exception {
    Events events = new Events("instance-kills");
    List<BenchmarkReport> input = ReportStream.reports(reports, Math.max(10, reports / REPORTS_PER_RIG), MODELS, seed);
    Map<String, Long> figures = new LinkedHashMap<>();
    Random random = new Random(seed);
    try (InProcessKafkaStack stack = startStack()) {
      PublishedTables.StatsTopicReader tables = new PublishedTables.StatsTopicReader(stack);
      String app = "chaos-kills-" + UUID.randomUUID();
      try (Aggregator steady = RunningAggregators.startRunning(config(stack, app, dir.resolve("steady")));
          AggregatorProcess victim = AggregatorProcess.start(stack, app, "victim", PARTITIONS, dir.resolve("victim"))) {
        awaitAnswering(victim.apiUrl());
        try (QueryProbe probe = new QueryProbe(steady.apiUrl());
            ReportStream stream = ReportStream.start(stack, input, streamFor)) {
          events.log("one instance in the test's JVM, one in its own (pid log %s); streaming %,d reports over %d s", victim.log().getFileName(), reports,
              streamFor.toSeconds());
          long meanGap = streamFor.toMillis() / (kills + 1);
          int withState = 0;
          for (int kill = 1; kill <= kills; kill++) {
            Thread.sleep(meanGap / 2 + (long) (random.nextDouble() * meanGap));
            // Alternately without and with its state directory, ending with it: an instance restarted
            // on an empty directory gets no active task until the next probing rebalance (KIP-441
            // warm-up, 10 min), and meanwhile the API refuses every list query (issue 13, item 4).
            boolean keepState = kill % 2 == 0;
            long counted = tables.reportsCounted();
            victim.kill();
            victim.restart(keepState);
            withState += keepState ? 1 : 0;
            events.log("SIGKILL %d: %,d reports sent, %,d counted; restarted %s", kill, stream.sent(), counted,
                keepState ? "on its state directory" : "on an empty state directory");
          }
          figures.put("kills", (long) kills);
          figures.put("restarts on the state directory", (long) withState);
          figures.put("restarts on an empty state directory", (long) (kills - withState));
          stream.awaitAcknowledged(Duration.ofMinutes(3));
          events.log("all %,d reports acknowledged by the brokers", reports);
          awaitCounted(tables, steady.apiUrl(), reports, Duration.ofMinutes(4), events);
          logLocalAnswers(events, steady.apiUrl(), victim.apiUrl());
          return finish("one of two instances SIGKILLed " + kills + " times", events, stack, steady.apiUrl(), input, probe, figures);
        }
      }
    }
  }

  /**
   * The registry stopped for {@code outage} mid-stream; while it is away one instance is killed and
   * restarted, so it has no schema cached and must wait for the registry to come back.
   */
  static Result registryOutage(Path dir, int reports, Duration streamFor, Duration outage) throws Exception {
    Events events = new Events("registry-outage");
    List<BenchmarkReport> streamed = ReportStream.reports(reports, Math.max(10, reports / REPORTS_PER_RIG), MODELS, 3);
    // A contributor who probes while the registry is away: the agent's own spool and publisher.
    List<BenchmarkReport> probed = ReportStream.reports(AGENT_REPORTS, 1, 1, 5);
    List<BenchmarkReport> input = new ArrayList<>(streamed);
    input.addAll(probed);
    Map<String, Long> figures = new LinkedHashMap<>();
    try (InProcessKafkaStack stack = startStack()) {
      PublishedTables.StatsTopicReader tables = new PublishedTables.StatsTopicReader(stack);
      String app = "chaos-registry-" + UUID.randomUUID();
      try (Aggregator warm = RunningAggregators.startRunning(config(stack, app, dir.resolve("warm")));
          AggregatorProcess cold = AggregatorProcess.start(stack, app, "cold", PARTITIONS, dir.resolve("cold"))) {
        awaitAnswering(cold.apiUrl());
        try (QueryProbe probe = new QueryProbe(warm.apiUrl());
            ReportStream stream = ReportStream.start(stack, streamed, streamFor)) {
          events.log("two instances running; streaming %,d reports over %d s", reports, streamFor.toSeconds());
          Thread.sleep(streamFor.toMillis() / 4);
          long before = tables.reportsCounted();
          long outageEnds = System.nanoTime() + outage.toNanos();
          stack.stopRegistry();
          events.log("registry stopped with %,d reports sent, %,d counted", stream.sent(), before);
          cold.kill();
          cold.restart(true);
          events.log("one instance SIGKILLed and restarted: its schema cache is empty while the registry is away");
          Spool spool = new Spool(dir.resolve("agent-spool"));
          probed.forEach(spool::add);
          ReportPublisher agent = new ReportPublisher(stack.clientConfig(), Topics.REPORTS, Duration.ofSeconds(10));
          DeliveryReport attempt = agent.deliver(spool);
          figures.put("agent reports kept in the spool during the outage", (long) attempt.pending());
          events.log("an agent's %d reports: %d delivered, %d kept in its spool (%s)", probed.size(), attempt.delivered(), attempt.pending(),
              attempt.failure().map(f -> f.kind() + ": " + f.message()).orElse("no failure"));
          Thread.sleep(Math.max(0, (outageEnds - System.nanoTime()) / 1_000_000));
          long during = tables.reportsCounted();
          stack.startRegistry();
          events.log("registry started again on the same port; %,d reports sent, %,d counted", stream.sent(), during);
          figures.put("reports counted while the registry was down", during - before);
          DeliveryReport flush = agent.deliver(spool);
          figures.put("agent reports delivered by the next flush", (long) flush.delivered());
          events.log("the agent's next flush: %d delivered, %d still spooled", flush.delivered(), flush.pending());
          stream.awaitAcknowledged(Duration.ofMinutes(3));
          awaitCounted(tables, warm.apiUrl(), input.size(), Duration.ofMinutes(3), events);
          logLocalAnswers(events, warm.apiUrl(), cold.apiUrl());
          AvroDeserializer<RejectedReport> rejections = new AvroDeserializer<>(RejectedReport.class);
          rejections.configure(stack.clientConfig(), false);
          List<ConsumerRecord<byte[], RejectedReport>> rejected = PublishedTables.readToEnd(stack, Topics.REJECTED, new ByteArrayDeserializer(), rejections);
          figures.put("reports rejected", (long) rejected.size());
          figures.put("reports rejected as " + Rejection.UNKNOWN_SCHEMA_ID,
              rejected.stream().filter(r -> Rejection.UNKNOWN_SCHEMA_ID.equals(r.value().getReasonCode())).count());
          return finish("the registry down for " + outage.toSeconds() + " s mid-stream", events, stack, warm.apiUrl(), input, probe, figures);
        }
      }
    }
  }

  private static Result finish(String scenario, Events events, InProcessKafkaStack stack, String apiUrl, List<BenchmarkReport> input, QueryProbe probe,
                               Map<String, Long> figures) throws InterruptedException {
    probe.close();
    Map<StatsKey, ExpectedTables.Row> expected = ExpectedTables.of(input);
    Exactness api = null;
    String apiRefusal = null;
    try {
      api = Exactness.compare("API", input.size(), expected, PublishedTables.api(apiUrl));
    } catch (IllegalStateException refused) {
      apiRefusal = refused.getMessage();
    }
    // The stores answer as soon as a row is computed; the topic shows it once its transaction
    // commits (every 100 ms), so give the last commit a moment.
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    Exactness topic = Exactness.compare(Topics.STATS, input.size(), expected, PublishedTables.statsTopic(stack));
    while (!topic.exact() && System.nanoTime() < deadline) {
      Thread.sleep(1000);
      topic = Exactness.compare(Topics.STATS, input.size(), expected, PublishedTables.statsTopic(stack));
    }
    return new Result(scenario, events.lines, events.elapsed(), api, apiRefusal, topic, probe.summary(), figures);
  }

  /**
   * Three brokers with the aggregator's topics already known to each of them. (Creating them and
   * starting an instance at once can still fail on a three-broker cluster: see the start-up race
   * of issue 13. These scenarios are about faults mid-stream, so they start after it.)
   */
  private static InProcessKafkaStack startStack() {
    InProcessKafkaStack stack = InProcessKafkaStack.start(3);
    TopicInitializer.ensure(Map.of("bootstrap.servers", stack.bootstrapServers()), PARTITIONS, (short) 3);
    stack.awaitTopicsOnEveryBroker(Topics.all(PARTITIONS).stream().map(Topics.Spec::name).toList(), Duration.ofSeconds(60));
    return stack;
  }

  static AggregatorConfig config(InProcessKafkaStack stack, String app, Path stateDir) {
    return new AggregatorConfig(stack.bootstrapServers(), stack.registryUrl(), app, "127.0.0.1", 0, 0, "127.0.0.1", stateDir, 0, PARTITIONS,
        (short) 3, Map.of("commit.interval.ms", 100), new ApiProtection(null, 0));
  }

  /** Reports counted in the committed rows of tokbench.stats: what a downstream reader sees processed so far. */
  private static long counted(InProcessKafkaStack stack) {
    return PublishedTables.statsTopic(stack).values().stream().mapToLong(ExpectedTables.Row::reportCount).sum();
  }

  /** What each instance answers for its own rows: when the totals disagree, which one is wrong. */
  private static void logLocalAnswers(Events events, String... apiUrls) {
    for (String apiUrl : apiUrls) {
      try {
        RunningAggregators.Answer answer = RunningAggregators.get(apiUrl + "/api/v1/stats?size=1000&local=true");
        events.log("%s (its own rows): HTTP %d, %,d reports%s", apiUrl, answer.status(), PublishedTables.reportsIn(answer.body()),
            answer.status() == 200 ? "" : ": " + answer.response().body());
      } catch (IllegalStateException e) {
        events.log("%s: no answer (%s)", apiUrl, e.getCause());
      }
    }
  }

  private static int groupCoordinator(InProcessKafkaStack stack, String app) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers()))) {
      return admin.describeConsumerGroups(List.of(app)).all().get().get(app).coordinator().id();
    }
  }

  private static void awaitAnswering(String apiUrl) throws InterruptedException {
    RunningAggregators.await(apiUrl + "/api/v1/stats?size=1", a -> a.status() == 200, Duration.ofSeconds(90));
  }

  /**
   * Waits until the committed rows of tokbench.stats count every report (or the timeout passes:
   * the comparison then shows what is missing), then a moment for the API's stores to agree.
   */
  private static void awaitCounted(PublishedTables.StatsTopicReader tables, String apiUrl, long reports, Duration timeout, Events events)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    long counted = tables.reportsCounted();
    while (counted < reports && System.nanoTime() < deadline) {
      Thread.sleep(1000);
      counted = tables.reportsCounted();
    }
    RunningAggregators.await(apiUrl + "/api/v1/stats?size=1000", a -> a.status() == 200 && PublishedTables.reportsIn(a.body()) >= reports,
        Duration.ofSeconds(30));
    events.log("%,d of %,d reports counted", counted, reports);
  }
}
