package io.tokbench.agent.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** Delivers reports that waited in the spool. */
@Command(
    name = "flush",
    mixinStandardHelpOptions = true,
    description = {
      "Delivers the reports waiting in the spool.",
      "",
      "They were measured while Kafka or the registry was unreachable. A report leaves the spool only once the broker "
          + "has acknowledged it, so running flush again never sends a report twice into the tables. A spool file that "
          + "cannot be read is moved aside to the spool's quarantine folder (listed by `spool`) and never holds up the "
          + "others."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:all delivered (or nothing to deliver)", "5:still unreachable; reports stay spooled", "6:authentication failed", "7:refused"})
final class FlushCommand implements Callable<Integer> {
  @ParentCommand TokbenchAgent agent;
  @Mixin ConnectionOptions connection;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    return Delivery.deliverSpool(connection.resolve(agent.environment), spec.commandLine().getOut(), spec.commandLine().getErr());
  }
}
