package io.tokbench.aggregator.normalize;

import io.tokbench.schema.Backend;
import io.tokbench.schema.OffloadClass;
import io.tokbench.schema.StatsKey;

/**
 * Statistics keys as store keys. Fields are joined with the ASCII unit separator, in the order
 * model, GPU, GPU count, quantization, runtime, context, suite, offload, concurrency, backend, so
 * that a prefix scan finds every setup of one model, or of one model on one GPU (the community
 * roll-up). Keys written before the backend joined the key (nine fields) read as backend UNKNOWN.
 */
public final class StatsKeys {
  public static final char SEPARATOR = '\u001f';
  /** The backend of a key that has none: written before v4 of the key. */
  public static final String UNKNOWN_BACKEND = Backend.UNKNOWN.name();

  private StatsKeys() {}

  public static String encode(StatsKey key) {
    return String.join(String.valueOf(SEPARATOR),
        key.getModel(), key.getGpu(), String.valueOf(key.getGpuCount()), key.getQuantization(), key.getRuntime(),
        String.valueOf(key.getContextBucket()), key.getSuiteId(), key.getOffloadClass().name(), String.valueOf(key.getConcurrency()),
        key.getBackend());
  }

  public static StatsKey decode(String encoded) {
    String[] f = encoded.split(String.valueOf(SEPARATOR), -1);
    if (f.length != 9 && f.length != 10) {
      throw new IllegalArgumentException("not an encoded statistics key: " + encoded.replace(SEPARATOR, '|'));
    }
    return new StatsKey(f[0], f[1], Integer.parseInt(f[2]), f[3], f[4], Integer.parseInt(f[5]), f[6], OffloadClass.valueOf(f[7]), Integer.parseInt(f[8]),
        f.length == 10 ? f[9] : UNKNOWN_BACKEND);
  }

  /** Prefix of every key of a model. */
  public static String modelPrefix(String model) {
    return model + SEPARATOR;
  }

  /** Prefix of every setup of a model on one GPU configuration. */
  public static String gpuPrefix(String model, String gpu, int gpuCount) {
    return model + SEPARATOR + gpu + SEPARATOR + gpuCount + SEPARATOR;
  }

  /** Whether two encoded keys are of the same model, compared in place. */
  public static boolean sameModel(String a, String b) {
    int end = a.indexOf(SEPARATOR);
    return end == b.indexOf(SEPARATOR) && a.regionMatches(0, b, 0, end);
  }

  /** Whether two encoded keys are on the same GPU, compared in place. */
  public static boolean sameGpu(String a, String b) {
    int start = a.indexOf(SEPARATOR) + 1;
    int length = a.indexOf(SEPARATOR, start) - start;
    int otherStart = b.indexOf(SEPARATOR) + 1;
    return b.indexOf(SEPARATOR, otherStart) - otherStart == length && a.regionMatches(start, b, otherStart, length);
  }

  /** The model of an encoded key, without decoding the rest. */
  public static String modelOf(String encoded) {
    return encoded.substring(0, encoded.indexOf(SEPARATOR));
  }

  /** The GPU of an encoded key, without decoding the rest. */
  public static String gpuOf(String encoded) {
    int start = encoded.indexOf(SEPARATOR) + 1;
    return encoded.substring(start, encoded.indexOf(SEPARATOR, start));
  }
}
