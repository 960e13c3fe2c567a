package io.tokbench.aggregator.app;

import picocli.CommandLine.Option;

/** The running aggregator a maintenance subcommand talks to. */
final class ApiOption {
  @Option(names = "--api", defaultValue = "${env:TOKBENCH_API_URL:-http://localhost:8080}", description = "A running aggregator [TOKBENCH_API_URL] (default: ${DEFAULT-VALUE}).")
  String url;

  ApiClient client() {
    return new ApiClient(url);
  }
}
