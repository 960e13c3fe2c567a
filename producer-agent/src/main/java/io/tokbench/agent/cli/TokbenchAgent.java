package io.tokbench.agent.cli;

import io.tokbench.agent.config.Environment;
import io.tokbench.agent.detect.HostProbe;
import java.io.InputStream;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code tokbench-agent}: measure this rig's LLM inference speed and contribute the numbers. */
@Command(
    name = "tokbench-agent",
    mixinStandardHelpOptions = true,
    versionProvider = TokbenchAgent.Version.class,
    description = {
      "Measures how fast your machine runs local LLMs and contributes the numbers to the tokbench community tables. "
          + "It detects your GPUs, times your local runtime (Ollama, llama.cpp's server or any OpenAI-compatible server) "
          + "with a fixed, versioned probe suite, and publishes one report per model, context size and concurrency "
          + "level. Reports carry an anonymous rig id and never your hostname, user name, IP address, serial numbers "
          + "or the paths your models load from.",
      "",
      "Start with:  tokbench-agent detect      (what the agent sees, nothing is sent)",
      "             tokbench-agent probe --dry-run",
      "             tokbench-agent probe --model llama3.1:8b"
    },
    subcommands = {ProbeCommand.class, DetectCommand.class, FlushCommand.class, SpoolCommand.class, ConfigCommand.class, CommandLine.HelpCommand.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:success",
      "1:unexpected error (a bug: please report it)",
      "2:bad command-line option",
      "3:the runtime is not reachable",
      "4:the model is not available in the runtime",
      "5:reports measured but not delivered (they wait in the spool)",
      "6:the broker refused the credentials",
      "7:the broker or registry refused the reports",
      "8:the runtime failed (an error answer, an error mid-stream)",
      "9:the runtime wants an API key, or refused the one given",
      "10:the runtime's context is too small for the probe suite"
    })
public final class TokbenchAgent implements Runnable {
  public static final String VERSION = "0.1.0";

  final Environment environment;
  final HostProbe host;
  final InputStream stdin;

  public TokbenchAgent(Environment environment, HostProbe host, InputStream stdin) {
    this.environment = environment;
    this.host = host;
    this.stdin = stdin;
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(new CommandLine(this), "Missing command: try probe, detect, flush, spool or config (see --help)");
  }

  /** A command line wired to the given surroundings; tests pass their own. */
  public static CommandLine commandLine(Environment environment, HostProbe host, InputStream stdin, PrintWriter out, PrintWriter err) {
    CommandLine commandLine = new CommandLine(new TokbenchAgent(environment, host, stdin));
    commandLine.setOut(out);
    commandLine.setErr(err);
    commandLine.setParameterExceptionHandler(TokbenchAgent::shortUsageError);
    commandLine.setExecutionExceptionHandler((e, cmd, parsed) -> {
      cmd.getErr().println("tokbench-agent: " + e.getMessage());
      return ExitCodes.SOFTWARE;
    });
    return commandLine;
  }

  /** A bad flag gets one line naming it and a pointer to --help; no wall of usage text. */
  private static int shortUsageError(CommandLine.ParameterException e, String[] args) {
    CommandLine cmd = e.getCommandLine();
    cmd.getErr().println("tokbench-agent: " + e.getMessage() + " (see '" + cmd.getCommandSpec().qualifiedName() + " --help')");
    return ExitCodes.USAGE;
  }

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, true);
    PrintWriter err = new PrintWriter(System.err, true);
    int exit = commandLine(Environment.system(), HostProbe.system(), System.in, out, err).execute(args);
    System.exit(exit);
  }

  /** The version --version prints. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"tokbench-agent " + VERSION + " (probe suite " + io.tokbench.agent.probe.ProbeSuite.STANDARD.id() + ")"};
    }
  }
}
