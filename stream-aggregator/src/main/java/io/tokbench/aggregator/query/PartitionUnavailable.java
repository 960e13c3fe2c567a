package io.tokbench.aggregator.query;

/** One instance cannot serve a partition now (not hosted, too far behind, unreachable): try the next copy. */
final class PartitionUnavailable extends RuntimeException {
  PartitionUnavailable(String message) {
    super(message, null, false, false);
  }
}
