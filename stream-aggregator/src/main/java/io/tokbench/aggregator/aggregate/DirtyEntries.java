package io.tokbench.aggregator.aggregate;

/**
 * The keys of the aggregate step's dirty store: what changed since the last emission. A statistics
 * key marks a row to emit; a presence entry, a rig's arrival on or departure from a GPU in the
 * partition. Statistics keys start with a model id, never with the presence marker (a control
 * character, which normalization does not let into an id).
 */
final class DirtyEntries {
  private static final char PRESENCE = '\u0002';
  private static final char SEPARATOR = RigContributions.RIG_SEPARATOR;

  private DirtyEntries() {}

  static String presence(String gpu, String rig) {
    return PRESENCE + gpu + SEPARATOR + rig;
  }

  static boolean isPresence(String key) {
    return !key.isEmpty() && key.charAt(0) == PRESENCE;
  }

  static String gpuOf(String presence) {
    return presence.substring(1, presence.lastIndexOf(SEPARATOR));
  }

  static String rigOf(String presence) {
    return presence.substring(presence.lastIndexOf(SEPARATOR) + 1);
  }

  static String value(boolean arrived) {
    return arrived ? "arrived" : "left";
  }

  static boolean arrived(String value) {
    return "arrived".equals(value);
  }
}
