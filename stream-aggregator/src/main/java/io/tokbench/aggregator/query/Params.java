package io.tokbench.aggregator.query;

import io.tokbench.aggregator.query.StatsFilter.BadParameter;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A request's parameters, checked strictly: only the names the endpoint knows, each given once;
 * text of sensible length without control characters; numbers in their range. Every violation is a
 * {@link BadParameter} naming the parameter (400).
 */
final class Params {
  /** No id, name or filter value is longer (model and GPU ids are well under 100 characters). */
  static final int MAX_TEXT = 256;
  private static final Pattern CONTROL = Pattern.compile("\\p{Cntrl}");
  private static final Pattern WHOLE_NUMBER = Pattern.compile("[+-]?\\d+");
  /** Characters no model, GPU, quantization, runtime or suite id contains: markup, quotes, escapes. */
  private static final Pattern NEVER_IN_AN_ID = Pattern.compile("[<>\"'`{}|\\\\^%]");

  private final Map<String, String> values;

  private Params(Map<String, String> values) {
    this.values = values;
  }

  /** Parameters already reduced to one value each (checked again, as text). */
  static Params of(Map<String, String> values) {
    values.forEach(Params::checkText);
    return new Params(values);
  }

  /** A query string's parameters, as the framework decoded them; names outside {@code allowed} are refused. */
  static Params of(Map<String, List<String>> query, Collection<String> allowed) {
    Map<String, String> values = new LinkedHashMap<>();
    for (Map.Entry<String, List<String>> parameter : query.entrySet()) {
      String name = parameter.getKey();
      if (!allowed.contains(name)) {
        throw new BadParameter(printable(name), "unknown parameter; this endpoint takes " + (allowed.isEmpty() ? "none" : String.join(", ", allowed)));
      }
      if (parameter.getValue().size() > 1) {
        throw new BadParameter(name, "given " + parameter.getValue().size() + " times; give it once");
      }
      values.put(name, checkText(name, parameter.getValue().isEmpty() ? "" : parameter.getValue().get(0)));
    }
    return new Params(values);
  }

  Map<String, String> map() {
    return values;
  }

  /** A text value, trimmed; null when absent. */
  String text(String name) {
    String value = values.get(name);
    return value == null ? null : value.trim();
  }

  String required(String name) {
    String value = text(name);
    if (value == null || value.isEmpty()) {
      throw new BadParameter(name, "required");
    }
    return value;
  }

  /** An id-valued parameter (a model, GPU, quantization...); null when absent. */
  String id(String name) {
    String value = values.get(name);
    return value == null ? null : id(name, value);
  }

  /** A whole number in [min, max]; null when absent. */
  Integer integer(String name, int min, int max) {
    String value = text(name);
    if (value == null) {
      return null;
    }
    if (!WHOLE_NUMBER.matcher(value).matches()) {
      throw new BadParameter(name, "'" + value + "' is not a whole number");
    }
    long n;
    try {
      n = Long.parseLong(value);
    } catch (NumberFormatException tooManyDigits) {
      n = value.startsWith("-") ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
    if (n < min || n > max) {
      throw new BadParameter(name, value + " is outside " + min + ".." + max);
    }
    return (int) n;
  }

  int integer(String name, int fallback, int min, int max) {
    Integer n = integer(name, min, max);
    return n == null ? fallback : n;
  }

  /** A finite number above zero and at most {@code max}. */
  double positive(String name, double max) {
    String value = required(name);
    double n;
    try {
      n = Double.parseDouble(value);
    } catch (NumberFormatException e) {
      throw new BadParameter(name, "'" + value + "' is not a number");
    }
    if (!Double.isFinite(n) || n <= 0 || n > max) {
      throw new BadParameter(name, "'" + value + "' is not a number above 0 and at most " + (long) max);
    }
    return n;
  }

  /** A path segment naming a model or GPU: decoded once by the framework, checked like any text. */
  static String id(String name, String value) {
    String id = checkText(name, value).trim();
    if (id.isEmpty()) {
      throw new BadParameter(name, "required");
    }
    if (NEVER_IN_AN_ID.matcher(id).find()) {
      throw new BadParameter(name, "contains a character no id has (< > \" ' ` { } | \\ ^ %)");
    }
    return id;
  }

  private static String checkText(String name, String value) {
    if (value.length() > MAX_TEXT) {
      throw new BadParameter(name, "longer than " + MAX_TEXT + " characters");
    }
    if (CONTROL.matcher(value).find()) {
      throw new BadParameter(name, "contains a control character");
    }
    return value;
  }

  /** A parameter name for an error message: never echoes control characters or megabytes. */
  private static String printable(String name) {
    String shown = CONTROL.matcher(name).replaceAll("?");
    return shown.length() > 64 ? shown.substring(0, 64) + "…" : shown;
  }
}
