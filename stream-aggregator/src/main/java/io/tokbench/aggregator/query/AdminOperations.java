package io.tokbench.aggregator.query;

import io.tokbench.schema.Retraction;
import java.util.UUID;

/**
 * What an operator may do through the API: withdraw a rig's or a report's contributions, and make
 * the estimator refit every calibration group now. Implemented by the running aggregator, which
 * holds the producer.
 */
public interface AdminOperations {
  /** Where a retraction landed. */
  record Published(String topic, int partition, long offset) {}

  Published retract(Retraction retraction);

  /** @return the partitions that were asked to refit */
  int recalibrate();

  /**
   * A retraction of a rig or of a report, with the reason for the audit trail; {@code lifted} takes
   * an earlier retraction back, so that later reports count again.
   */
  static Retraction retraction(UUID rigId, UUID reportId, String reason, boolean lifted, java.time.Instant now) {
    if ((rigId == null) == (reportId == null)) {
      throw new StatsFilter.BadParameter(rigId == null ? "rigId" : "reportId", "give exactly one of rigId and reportId");
    }
    return Retraction.newBuilder().setRigId(rigId).setReportId(reportId).setReason(reason == null ? "" : reason).setLifted(lifted).setRequestedAt(now).build();
  }
}
