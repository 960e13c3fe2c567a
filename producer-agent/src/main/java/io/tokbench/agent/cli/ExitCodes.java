package io.tokbench.agent.cli;

/** The agent's exit codes; each command's --help lists the ones it can return. */
public final class ExitCodes {
  public static final int OK = 0;
  public static final int SOFTWARE = 1;
  public static final int USAGE = 2;
  public static final int RUNTIME_UNAVAILABLE = 3;
  public static final int MODEL_NOT_FOUND = 4;
  public static final int SPOOLED = 5;
  public static final int AUTHENTICATION_FAILED = 6;
  public static final int REFUSED = 7;

  private ExitCodes() {}
}
