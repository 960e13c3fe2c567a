package io.tokbench.agent.cli;

import io.tokbench.agent.config.AgentConfig;
import io.tokbench.agent.config.Setting;
import io.tokbench.agent.spool.Spool;
import io.tokbench.schema.BenchmarkReport;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The last step of probe and import: show the reports, ask before sending (or not, with --yes),
 * then spool and deliver them.
 */
record Publication(boolean json, boolean dryRun, boolean yes, InputStream stdin) {

  int publish(List<BenchmarkReport> reports, AgentConfig config, PrintWriter out, PrintWriter err) throws IOException {
    if (json) {
      out.println(reports.stream().map(BenchmarkReport::toString).collect(Collectors.joining(",\n", "[", "]")));
    } else {
      ResultsTable.print(reports, out);
    }
    out.flush();
    if (dryRun) {
      err.println("Dry run: nothing published.");
      return ExitCodes.OK;
    }
    if (!yes && !confirm(reports, config, err)) {
      err.println("Nothing published.");
      return ExitCodes.OK;
    }
    Spool spool = new Spool(config.spoolDir());
    reports.forEach(spool::add);
    return Delivery.deliverSpool(config, out, err);
  }

  /** Shows exactly what would be sent, then asks. No answer (no terminal) means no. */
  private boolean confirm(List<BenchmarkReport> reports, AgentConfig config, PrintWriter err) throws IOException {
    if (!json) {
      err.println("These reports will be sent (anonymous rig id; no hostname, user, IP or serials):");
      reports.forEach(r -> err.println(r.toString()));
    }
    err.printf("Publish %d report(s) to %s on %s? [y/N] ", reports.size(), config.require(Setting.TOPIC), config.require(Setting.BOOTSTRAP_SERVERS));
    err.flush();
    String answer = new BufferedReader(new InputStreamReader(stdin, StandardCharsets.UTF_8)).readLine();
    if (answer == null) {
      err.println();
      err.println("(no answer: standard input is closed; pass --yes to publish without asking)");
      return false;
    }
    return answer.trim().toLowerCase(Locale.ROOT).startsWith("y");
  }
}
