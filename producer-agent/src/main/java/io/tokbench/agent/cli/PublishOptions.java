package io.tokbench.agent.cli;

import java.io.InputStream;
import picocli.CommandLine.Option;

/** How probe and import hand their reports over: the options both share, as a picocli mixin. */
final class PublishOptions {
  @Option(names = "--dry-run", description = "Print the reports; publish nothing, spool nothing.")
  boolean dryRun;

  @Option(names = "--json", description = "Print the reports as JSON (exactly what is sent) instead of the table.")
  boolean json;

  @Option(names = {"-y", "--yes"}, description = "Publish without asking.")
  boolean yes;

  Publication publication(InputStream stdin) {
    return new Publication(json, dryRun, yes, stdin);
  }
}
