package io.tokbench.aggregator.chaos;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The chaos scenarios at a size CI cannot afford, printing what each did and its exactness
 * figures (reports in, reports counted, rows checked, differences found); nothing is asserted, but
 * the exit code is 1 when any scenario found a difference.
 *
 * <p>Run: {@code MAVEN_OPTS=-Xmx2g mvn -q -pl stream-aggregator -am test-compile
 * org.codehaus.mojo:exec-maven-plugin:3.6.2:java -Dexec.classpathScope=test
 * -Dexec.mainClass=io.tokbench.aggregator.chaos.ChaosBenchmark -Dexec.args="200000 30 400"}
 * (arguments: reports per scenario, SIGKILLs of the instance scenario, seconds each stream lasts).
 */
public final class ChaosBenchmark {
  public static void main(String[] args) throws Exception {
    int reports = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
    int kills = args.length > 1 ? Integer.parseInt(args[1]) : 30;
    Duration streamFor = Duration.ofSeconds(args.length > 2 ? Long.parseLong(args[2]) : 400);
    Path dir = Files.createTempDirectory("tokbench-chaos");
    System.out.printf("chaos benchmark: %,d reports per scenario streamed over %d s, %d SIGKILLs; work directory %s%n", reports, streamFor.toSeconds(), kills, dir);
    List<ChaosScenarios.Result> results = new ArrayList<>();
    results.add(ChaosScenarios.brokerLoss(dir.resolve("broker-loss"), reports, streamFor, streamFor.dividedBy(2)));
    results.add(ChaosScenarios.rollingBrokerRestart(dir.resolve("rolling-restart"), reports, streamFor));
    results.add(ChaosScenarios.instanceKills(dir.resolve("instance-kills"), reports, kills, streamFor, System.nanoTime()));
    results.add(ChaosScenarios.registryOutage(dir.resolve("registry-outage"), reports, streamFor, Duration.ofSeconds(Math.max(30, streamFor.toSeconds() / 4))));
    System.out.println();
    results.forEach(r -> r.print(System.out));
    long inexact = results.stream().filter(r -> !r.exact()).count();
    System.out.printf("%n%d of %d scenarios exact%n", results.size() - inexact, results.size());
    // exec:java waits for every non-daemon thread (HTTP client pools) before returning.
    System.exit(inexact == 0 ? 0 : 1);
  }
}
