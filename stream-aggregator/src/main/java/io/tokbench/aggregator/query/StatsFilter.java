package io.tokbench.aggregator.query;

import io.tokbench.schema.OffloadClass;
import io.tokbench.schema.StatsKey;
import java.util.Locale;
import java.util.Map;

/**
 * A subset of the statistics key's fields, from query parameters. Bad values become a
 * {@link BadParameter} naming the parameter.
 */
public record StatsFilter(
    String model, String gpu, Integer gpuCount, String quant, String runtime, Integer ctx, String suite, OffloadClass offload, Integer concurrency) {

  public static final String[] PARAMETERS = {"model", "gpu", "gpuCount", "quant", "runtime", "ctx", "suite", "offload", "concurrency"};

  public static StatsFilter from(Map<String, String> params) {
    return new StatsFilter(
        params.get("model"), params.get("gpu"), integer(params, "gpuCount"), params.get("quant"), params.get("runtime"),
        integer(params, "ctx"), params.get("suite"), offload(params.get("offload")), integer(params, "concurrency"));
  }

  public boolean matches(StatsKey key) {
    return (model == null || model.equals(key.getModel()))
        && (gpu == null || gpu.equals(key.getGpu()))
        && (gpuCount == null || gpuCount == key.getGpuCount())
        && (quant == null || quant.equalsIgnoreCase(key.getQuantization()))
        && (runtime == null || runtime.equalsIgnoreCase(key.getRuntime()))
        && (ctx == null || ctx == key.getContextBucket())
        && (suite == null || suite.equals(key.getSuiteId()))
        && (offload == null || offload == key.getOffloadClass())
        && (concurrency == null || concurrency == key.getConcurrency());
  }

  /** Whether every key field is given, so the filter names exactly one row. */
  public boolean isExactKey() {
    return model != null && gpu != null && gpuCount != null && quant != null && runtime != null && ctx != null && suite != null && offload != null && concurrency != null;
  }

  public StatsKey toKey() {
    return new StatsKey(model, gpu, gpuCount, quant, runtime, ctx, suite, offload, concurrency);
  }

  /** A key filter's whole number, surrounding blanks allowed; null when absent; 400 naming it otherwise. */
  private static Integer integer(Map<String, String> params, String name) {
    String value = params.get(name);
    return value == null ? null : wholeNumber(name, value.trim(), value);
  }

  /** A paging or estimate parameter's whole number, exactly as given; null when absent. */
  static Integer strictInteger(Map<String, String> params, String name) {
    String value = params.get(name);
    return value == null ? null : wholeNumber(name, value, value);
  }

  private static int wholeNumber(String name, String digits, String given) {
    try {
      return Integer.parseInt(digits);
    } catch (NumberFormatException e) {
      throw new BadParameter(name, "'" + given + "' is not a whole number");
    }
  }

  private static OffloadClass offload(String value) {
    if (value == null) {
      return null;
    }
    try {
      return OffloadClass.valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new BadParameter("offload", "'" + value + "' is not one of FULL_GPU, PARTIAL_OFFLOAD, CPU_ONLY, UNKNOWN");
    }
  }

  /** A query parameter with a bad value: answered with 400 and its name. */
  public static final class BadParameter extends RuntimeException {
    private final String parameter;

    public BadParameter(String parameter, String problem) {
      super("parameter '" + parameter + "': " + problem);
      this.parameter = parameter;
    }

    public String parameter() {
      return parameter;
    }
  }
}
