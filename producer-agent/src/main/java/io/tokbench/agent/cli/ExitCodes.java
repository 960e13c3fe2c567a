package io.tokbench.agent.cli;

/** The agent's exit codes, listed in every command's --help. */
public final class ExitCodes {
  public static final int OK = 0;
  public static final int SOFTWARE = 1;
  public static final int USAGE = 2;
  public static final int RUNTIME_UNAVAILABLE = 3;
  public static final int MODEL_NOT_FOUND = 4;
  public static final int SPOOLED = 5;
  public static final int AUTHENTICATION_FAILED = 6;
  public static final int REFUSED = 7;

  /** For picocli's exitCodeList: "code:meaning". */
  public static final String[] LIST = {
    "0:success",
    "1:unexpected error (a bug: please report it)",
    "2:bad command-line option",
    "3:the runtime is not reachable (e.g. start it with `ollama serve`)",
    "4:the model is not available in the runtime (e.g. `ollama pull <model>`, or --pull)",
    "5:reports measured but not delivered: Kafka or the registry is unreachable; they wait in the spool for `flush`",
    "6:the broker refused the credentials (nothing is marked delivered)",
    "7:the broker or registry refused the reports (authorization, incompatible schema)"
  };

  private ExitCodes() {}
}
