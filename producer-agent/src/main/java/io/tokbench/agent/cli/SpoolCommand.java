package io.tokbench.agent.cli;

import io.tokbench.agent.config.AgentConfig;
import io.tokbench.agent.spool.Spool;
import io.tokbench.schema.BenchmarkReport;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** Lists what waits to be delivered, and what was moved aside. */
@Command(
    name = "spool",
    mixinStandardHelpOptions = true,
    description = {
      "Lists the reports waiting in the spool; nothing is sent.",
      "",
      "Oldest first; `flush` sends them. Files that could not be read are listed too: they were moved to the spool's "
          + "quarantine folder with a note saying why, and are never sent."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:listed"})
final class SpoolCommand implements Callable<Integer> {
  @ParentCommand TokbenchAgent agent;
  @Mixin ConnectionOptions connection;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    AgentConfig config = connection.resolve(agent.environment);
    Spool spool = new Spool(config.spoolDir());
    List<Spool.Entry> entries = spool.list();
    PrintWriter out = spec.commandLine().getOut();
    if (entries.isEmpty()) {
      out.println("The spool " + config.spoolDir() + " is empty.");
    } else {
      out.printf("%d report(s) wait in %s:%n", entries.size(), config.spoolDir());
    }
    for (Spool.Entry entry : entries) {
      BenchmarkReport r = entry.report();
      out.printf("  %s  %s  %s  ctx %d  x%d  %.1f tok/s  (%s)%n", r.getMeasuredAt(), r.getReportId(), r.getModel().getName(),
          r.getSettings().getContextLength(), r.getSettings().getConcurrency(), r.getSummary().getGenerationTokensPerSecondMedian(), entry.file().getFileName());
    }
    List<Spool.Quarantined> quarantined = spool.quarantined();
    if (!quarantined.isEmpty()) {
      out.printf("%d unreadable file(s) were moved aside to %s and will not be sent:%n", quarantined.size(), spool.quarantineDir());
      quarantined.forEach(q -> out.printf("  %s  (%s)%n", q.file().getFileName(), q.reason()));
    }
    return ExitCodes.OK;
  }
}
