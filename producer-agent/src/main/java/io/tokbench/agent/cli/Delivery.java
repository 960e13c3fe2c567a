package io.tokbench.agent.cli;

import io.tokbench.agent.config.AgentConfig;
import io.tokbench.agent.config.Setting;
import io.tokbench.agent.publish.DeliveryFailure;
import io.tokbench.agent.publish.DeliveryReport;
import io.tokbench.agent.publish.ReportPublisher;
import io.tokbench.agent.spool.Spool;
import java.io.PrintWriter;
import java.time.Duration;

/** Delivers the spool and tells the user what happened, as probe and flush both do. */
final class Delivery {
  private Delivery() {}

  static int deliverSpool(AgentConfig config, PrintWriter out, PrintWriter err) {
    Spool spool = new Spool(config.spoolDir());
    ReportPublisher publisher = new ReportPublisher(
        config.clientProperties(), config.require(Setting.TOPIC), Duration.ofMillis(Long.parseLong(config.require(Setting.DELIVERY_TIMEOUT_MS))));
    DeliveryReport report = publisher.deliver(spool);
    int quarantined = spool.quarantined().size();
    if (quarantined > 0) {
      err.printf("note: %d unreadable spool file(s) were moved aside to %s and are not sent; see `tokbench-agent spool`%n", quarantined, spool.quarantineDir());
    }
    if (report.delivered() > 0) {
      out.printf("Delivered %d report(s) to %s on %s.%n", report.delivered(), config.require(Setting.TOPIC), config.require(Setting.BOOTSTRAP_SERVERS));
    }
    if (report.failure().isEmpty()) {
      if (report.delivered() == 0) {
        out.println("Nothing to deliver: the spool is empty.");
      }
      return ExitCodes.OK;
    }
    DeliveryFailure failure = report.failure().get();
    err.println("tokbench-agent: " + failure.message());
    err.printf("%d report(s) wait in the spool %s; send them later with: tokbench-agent flush%n", report.pending(), spool.dir());
    return switch (failure.kind()) {
      case UNREACHABLE -> ExitCodes.SPOOLED;
      case AUTHENTICATION -> ExitCodes.AUTHENTICATION_FAILED;
      case REFUSED -> ExitCodes.REFUSED;
    };
  }
}
