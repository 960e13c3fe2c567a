package io.tokbench.aggregator.app;

import picocli.CommandLine;

/**
 * Command lines that answer a bad option in one line naming it, with a pointer to {@code --help},
 * instead of picocli's default of the message followed by the whole usage text. Shared by the
 * aggregator's, the local stack's and the benchmark's launchers.
 */
public final class ShortUsageErrors {
  private ShortUsageErrors() {}

  /** A command line for {@code command} whose bad options end in one line on stderr and picocli's invalid-input code (2). */
  public static CommandLine commandLine(Object command) {
    CommandLine commandLine = new CommandLine(command);
    commandLine.setParameterExceptionHandler(ShortUsageErrors::oneLine);
    return commandLine;
  }

  private static int oneLine(CommandLine.ParameterException e, String[] args) {
    CommandLine cmd = e.getCommandLine();
    String name = cmd.getCommandSpec().qualifiedName();
    cmd.getErr().println(name + ": " + e.getMessage() + " (see '" + name + " --help')");
    return cmd.getCommandSpec().exitCodeOnInvalidInput();
  }
}
