package io.tokbench.agent.bench;

import io.tokbench.agent.detect.Rig;
import io.tokbench.agent.detect.RigDetector;
import io.tokbench.agent.fakes.FakeOllama;
import io.tokbench.agent.fakes.RecordedHost;
import io.tokbench.agent.probe.OllamaClient;
import io.tokbench.agent.probe.PowerSampler;
import io.tokbench.agent.probe.ProbeListener;
import io.tokbench.agent.probe.ProbeRunner;
import io.tokbench.agent.probe.ProbeSuite;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * How much CPU the agent burns while the runtime works: the probe must not disturb what it
 * measures. Runs the standard suite against the Ollama fake streaming tokens in real time, and
 * prints the process's CPU time over the wall time of the probe. The fake runs in the same
 * process, so the figure is an upper bound on the agent's own share.
 *
 * <p>Run: {@code mvn -q -pl producer-agent -am test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=io.tokbench.agent.bench.AgentFootprintBenchmark}
 */
public final class AgentFootprintBenchmark {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private static Map<Long, Long> threadCpu() {
    Map<Long, Long> cpu = new HashMap<>();
    for (long id : THREADS.getAllThreadIds()) {
      long nanos = THREADS.getThreadCpuTime(id);
      if (nanos >= 0) {
        cpu.put(id, nanos);
      }
    }
    return cpu;
  }

  public static void main(String[] args) {
    com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    try (FakeOllama ollama = new FakeOllama()) {
      ollama.generationTokensPerSecond = 40;
      ollama.paceTokens = true;
      OllamaClient client = new OllamaClient(ollama.url(), Duration.ofMinutes(5), java.util.Optional.empty());
      Rig rig = new RigDetector(RecordedHost.linuxRtx4090()).detect();
      ProbeRunner runner = new ProbeRunner(client, ProbeSuite.STANDARD, ProbeListener.SILENT, PowerSampler.NONE, Clock.systemUTC());
      // Warm the JVM once so class loading and JIT are not billed to the probe.
      runner.probe(FakeOllama.MODEL, client.describe(FakeOllama.MODEL), rig, List.of(2048), List.of(1));

      Map<Long, Long> threadsBefore = threadCpu();
      long cpuBefore = os.getProcessCpuTime();
      long wallBefore = System.nanoTime();
      runner.probe(FakeOllama.MODEL, client.describe(FakeOllama.MODEL), rig, List.of(4096), List.of(1));
      long cpu = os.getProcessCpuTime() - cpuBefore;
      long wall = System.nanoTime() - wallBefore;
      Map<String, Long> byGroup = new TreeMap<>();
      threadCpu().forEach((id, nanos) -> {
        ThreadInfo info = THREADS.getThreadInfo(id);
        String name = id == Thread.currentThread().getId() ? "agent: probe thread"
            : info == null ? "ended" : info.getThreadName().replaceAll("-\\d+", "");
        byGroup.merge(name, nanos - threadsBefore.getOrDefault(id, 0L), Long::sum);
      });
      System.out.printf("probe wall time: %.1f s (warm-up + 5 repetitions of 128 tokens at 40 tok/s)%n", wall / 1e9);
      System.out.printf("process CPU time: %.0f ms = %.2f %% of wall time (agent + in-process fake + JVM)%n", cpu / 1e6, 100.0 * cpu / wall);
      long agent = 0;
      for (Map.Entry<String, Long> group : byGroup.entrySet()) {
        if (group.getValue() > 1_000_000) {
          System.out.printf("  thread %-40s %6.0f ms%n", group.getKey(), group.getValue() / 1e6);
        }
        if (group.getKey().startsWith("agent") || group.getKey().startsWith("HttpClient")) {
          agent += group.getValue();
        }
      }
      System.out.printf("agent threads (probe + HTTP client): %.0f ms = %.2f %% of wall time%n", agent / 1e6, 100.0 * agent / wall);
    }
  }
}
