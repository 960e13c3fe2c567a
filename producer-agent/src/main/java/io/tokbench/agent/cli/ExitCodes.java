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
  /** The runtime was reached and failed: an error answer, an error mid-stream, a broken stream. */
  public static final int RUNTIME_FAILED = 8;
  /** The runtime wants an API key, or refused the one given. */
  public static final int RUNTIME_AUTHENTICATION_FAILED = 9;
  /** The context one request can use cannot hold the suite's prompt and generated tokens. */
  public static final int CONTEXT_TOO_SMALL = 10;

  private ExitCodes() {}
}
