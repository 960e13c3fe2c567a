package io.tokbench.aggregator.aggregate;

/**
 * The keys of the aggregate step's one index store. Two kinds of entries share it: a report id
 * names the rig window its sample sits in (for de-duplication and for retracting that report), and
 * a rig's rows are listed under the rig (for retracting the rig, for its row cap, and for whether
 * it has other rows of a model or on a GPU: the distinct rigs of {@link PartitionTallies}). An
 * entry leaves when its sample leaves the window, so the index is as bounded as the windows are.
 */
final class ContributionIndex {
  private static final char SEPARATOR = '\u001e';

  private ContributionIndex() {}

  /** Report id → store key of the window holding its sample. */
  static String report(String reportId) {
    return "r" + reportId;
  }

  /** One row a rig contributes to, under the rig. */
  static String rigRow(String rigId, String statsKey) {
    return rigRowsPrefix(rigId) + statsKey;
  }

  static String rigRowsPrefix(String rigId) {
    return "g" + rigId + SEPARATOR;
  }

  /** The statistics key of a rig-row entry. */
  static String statsKeyOfRigRow(String entry) {
    return entry.substring(entry.indexOf(SEPARATOR) + 1);
  }

  /** Keys of the retraction store, the same as the compacted topic's. */
  static String retractedRig(String rigId) {
    return "rig:" + rigId;
  }

  static String retractedReport(String reportId) {
    return "report:" + reportId;
  }
}
