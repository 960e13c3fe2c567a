package io.tokbench.agent.fakes;

import io.tokbench.agent.cli.TokbenchAgent;
import io.tokbench.agent.config.Environment;
import io.tokbench.agent.detect.HostProbe;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Runs {@code tokbench-agent} in-process with its own environment, machine and terminal. */
public final class AgentRun {
  private final Map<String, String> env = new HashMap<>();
  private final Path home;
  private HostProbe host = RecordedHost.linuxRtx4090();
  private String stdin = "";

  public AgentRun(Path home) {
    this.home = home;
    env.put("TOKBENCH_CONFIG_DIR", home.resolve("config").toString());
  }

  public AgentRun env(String name, String value) {
    env.put(name, value);
    return this;
  }

  public AgentRun host(HostProbe newHost) {
    this.host = newHost;
    return this;
  }

  public AgentRun stdin(String text) {
    this.stdin = text;
    return this;
  }

  public Path configDir() {
    return Path.of(env.get("TOKBENCH_CONFIG_DIR"));
  }

  /** Exit code and what was printed. */
  public record Result(int exitCode, String out, String err) {}

  public Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = TokbenchAgent.commandLine(
            new Environment(env, home), host, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
            new PrintWriter(out, true), new PrintWriter(err, true))
        .execute(args);
    return new Result(code, out.toString(), err.toString());
  }
}
