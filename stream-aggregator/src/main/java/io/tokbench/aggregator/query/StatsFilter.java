package io.tokbench.aggregator.query;

import io.tokbench.schema.Backend;
import io.tokbench.schema.OffloadClass;
import io.tokbench.schema.StatsKey;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A subset of the statistics key's fields, from query parameters. Bad values become a
 * {@link BadParameter} naming the parameter.
 */
public record StatsFilter(
    String model, String gpu, Integer gpuCount, String quant, String runtime, Integer ctx, String suite, OffloadClass offload, Integer concurrency,
    String backend) {

  /** The ten fields that name a row. */
  public static final List<String> PARAMETERS = List.of("model", "gpu", "gpuCount", "quant", "runtime", "ctx", "suite", "offload", "concurrency", "backend");

  public static StatsFilter from(Map<String, String> params) {
    Params p = Params.of(params);
    return new StatsFilter(
        p.id("model"), p.id("gpu"), p.integer("gpuCount", 1, 64), p.id("quant"), p.id("runtime"),
        p.integer("ctx", 1, 16 * 1024 * 1024), p.id("suite"), oneOf("offload", p.text("offload"), OffloadClass.class), p.integer("concurrency", 1, 4096), backendName(oneOf("backend", p.text("backend"), Backend.class)));
  }

  /** Every exact lookup needs these; the backend only where the setup was measured on several. */
  private static final List<String> REQUIRED = PARAMETERS.subList(0, PARAMETERS.indexOf("backend"));

  /**
   * The filter naming one row: the nine parameters before {@code backend} are required; the
   * backend may be left out (see {@link #withBackend}), as it was before it joined the key.
   */
  public static StatsFilter exactKey(Map<String, String> params) {
    for (String name : REQUIRED) {
      if (!params.containsKey(name)) {
        throw new BadParameter(name, "required: a row is named by all of " + String.join(", ", REQUIRED)
            + " (and backend, where one setup was measured on several)");
      }
    }
    return from(params);
  }

  private static String backendName(Backend backend) {
    return backend == null ? null : backend.name();
  }

  public StatsFilter withBackend(String value) {
    return new StatsFilter(model, gpu, gpuCount, quant, runtime, ctx, suite, offload, concurrency, value);
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
        && (concurrency == null || concurrency == key.getConcurrency())
        && (backend == null || backend.equals(key.getBackend()));
  }

  public StatsKey toKey() {
    return new StatsKey(model, gpu, gpuCount, quant, runtime, ctx, suite, offload, concurrency, backend);
  }

  /** The filter as query parameters again (to ask another instance). */
  public Map<String, String> asParameters() {
    Map<String, String> params = new LinkedHashMap<>();
    Object[] values = {model, gpu, gpuCount, quant, runtime, ctx, suite, offload, concurrency, backend};
    for (int i = 0; i < values.length; i++) {
      if (values[i] != null) {
        params.put(PARAMETERS.get(i), values[i].toString());
      }
    }
    return params;
  }

  /** A parameter naming one of an enum's values, in any case; null when absent. */
  private static <E extends Enum<E>> E oneOf(String parameter, String value, Class<E> type) {
    if (value == null) {
      return null;
    }
    try {
      return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new BadParameter(parameter, "'" + value + "' is not one of "
          + Arrays.stream(type.getEnumConstants()).map(Enum::name).collect(Collectors.joining(", ")));
    }
  }

  /** A query parameter with a bad value: answered with 400 and its name. */
  public static final class BadParameter extends RuntimeException {
    private final String parameter;

    public BadParameter(String parameter, String problem) {
      super("parameter '" + parameter + "': " + problem, null, false, false);
      this.parameter = parameter;
    }

    public String parameter() {
      return parameter;
    }
  }
}
