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

/** Lists what waits to be delivered. */
@Command(
    name = "spool",
    mixinStandardHelpOptions = true,
    description = {"Lists the reports waiting in the spool, oldest first. Nothing is sent; use `flush` for that."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:listed"})
final class SpoolCommand implements Callable<Integer> {
  @ParentCommand TokbenchAgent agent;
  @Mixin ConnectionOptions connection;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    AgentConfig config = connection.resolve(agent.environment);
    List<Spool.Entry> entries = new Spool(config.spoolDir()).list();
    PrintWriter out = spec.commandLine().getOut();
    if (entries.isEmpty()) {
      out.println("The spool " + config.spoolDir() + " is empty.");
      return ExitCodes.OK;
    }
    out.printf("%d report(s) wait in %s:%n", entries.size(), config.spoolDir());
    for (Spool.Entry entry : entries) {
      BenchmarkReport r = entry.report();
      out.printf("  %s  %s  %s  ctx %d  x%d  %.1f tok/s  (%s)%n", r.getMeasuredAt(), r.getReportId(), r.getModel().getName(),
          r.getSettings().getContextLength(), r.getSettings().getConcurrency(), r.getSummary().getGenerationTokensPerSecondMedian(), entry.file().getFileName());
    }
    return ExitCodes.OK;
  }
}
