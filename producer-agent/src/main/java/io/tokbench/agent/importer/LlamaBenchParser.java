package io.tokbench.agent.importer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads llama-bench's outputs as its README documents them (ggml-org/llama.cpp
 * tools/llama-bench/README.md, "Output formats"): {@code -o json} an array of result objects with
 * {@code samples_ns}/{@code samples_ts}, {@code -o jsonl} the same objects one per line, {@code -o
 * csv} one header row and one row per result (means only), {@code -o md} the table it prints by
 * default (model type, size, params, backend, the parameters that vary, test, "t/s" as mean ± sd).
 *
 * <p>Lenient in form (numbers as JSON numbers or strings, fields in any order, fields this reader
 * does not know are kept for matching rows), strict in content: every count is a non-negative
 * int, every rate and time positive and finite, and a row that breaks this is refused by number.
 */
public final class LlamaBenchParser {
  public static final int MAX_ROWS = 100_000;
  public static final int MAX_SAMPLES = 10_000;
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Fields that describe a test's shape, time or result rather than the run's configuration. */
  private static final Set<String> NOT_CONFIGURATION = Set.of("n_prompt", "n_gen", "n_depth", "test_time", "avg_ns", "stddev_ns", "avg_ts",
      "stddev_ts", "samples_ns", "samples_ts", "test", "t/s");
  /** Markdown headers are short names of the CSV fields (llama-bench.cpp's markdown_printer). */
  private static final Map<String, String> MARKDOWN_NAMES = Map.ofEntries(
      Map.entry("model", "model_type"), Map.entry("size", "model_size"), Map.entry("params", "model_n_params"), Map.entry("backend", "backends"),
      Map.entry("ngl", "n_gpu_layers"), Map.entry("threads", "n_threads"), Map.entry("fa", "flash_attn"), Map.entry("dev", "devices"),
      Map.entry("mmap", "use_mmap"), Map.entry("sm", "split_mode"), Map.entry("mg", "main_gpu"), Map.entry("nkvo", "no_kv_offload"),
      Map.entry("ts", "tensor_split"), Map.entry("ot", "tensor_buft_overrides"), Map.entry("embd", "embeddings"));
  private static final Pattern TEST = Pattern.compile("^(?:pp\\s*(\\d+))?\\s*\\+?\\s*(?:tg\\s*(\\d+))?(?:\\s*@\\s*d\\s*(\\d+))?$");
  private static final Pattern MEAN_SD = Pattern.compile("^([0-9.eE+-]+)(?:\\s*±\\s*([0-9.eE+-]+))?$");
  private static final Pattern SIZE = Pattern.compile("^([0-9.]+)\\s*(B|KiB|MiB|GiB|TiB)$");
  private static final Pattern COUNT = Pattern.compile("^([0-9.]+)\\s*([KMBT]?)$");
  private static final Pattern BUILD = Pattern.compile("^build:\\s*([0-9a-fA-F]+)\\s*\\((\\d+)\\)\\s*$");

  private LlamaBenchParser() {}

  public static List<LlamaBenchRow> parse(String text, LlamaBenchFormat format) {
    List<Map<String, JsonNode>> raw = switch (format) {
      case JSON -> jsonArray(text);
      case JSONL -> jsonLines(text);
      case CSV -> csv(text);
      case MD -> markdown(text);
    };
    if (raw.isEmpty()) {
      throw new ImportFormatException("no results in the file (llama-bench -o " + format.name().toLowerCase(Locale.ROOT) + " writes one row per test)");
    }
    List<LlamaBenchRow> rows = new ArrayList<>();
    for (int i = 0; i < raw.size(); i++) {
      rows.add(row(i + 1, raw.get(i)));
    }
    return rows;
  }

  private static List<Map<String, JsonNode>> jsonArray(String text) {
    JsonNode root = readJson(text, "the file");
    if (!root.isArray()) {
      throw new ImportFormatException("the file is JSON but not an array of results (llama-bench -o json writes [ {...}, ... ])");
    }
    List<Map<String, JsonNode>> rows = new ArrayList<>();
    for (JsonNode node : root) {
      rows.add(object(node, rows.size() + 1));
    }
    return limited(rows);
  }

  private static List<Map<String, JsonNode>> jsonLines(String text) {
    List<Map<String, JsonNode>> rows = new ArrayList<>();
    String[] lines = text.split("\\R");
    for (int i = 0; i < lines.length; i++) {
      if (!lines[i].isBlank()) {
        rows.add(object(readJson(lines[i], "line " + (i + 1)), rows.size() + 1));
        limited(rows);
      }
    }
    return rows;
  }

  /** Read by position against the header, so a row with a value too few or too many is refused, never shifted. */
  private static List<Map<String, JsonNode>> csv(String text) {
    CsvMapper mapper = new CsvMapper().enable(CsvParser.Feature.WRAP_AS_ARRAY);
    List<Map<String, JsonNode>> rows = new ArrayList<>();
    List<String> header = null;
    try (MappingIterator<List<String>> it = mapper.readerForListOf(String.class).readValues(text)) {
      while (it.hasNext()) {
        List<String> values = it.next();
        if (values.size() == 1 && values.get(0).isBlank()) {
          continue;
        }
        if (header == null) {
          header = values.stream().map(String::strip).toList();
          if (!header.contains("avg_ts")) {
            throw new ImportFormatException("not llama-bench CSV: the header has no avg_ts column");
          }
          continue;
        }
        if (values.size() != header.size()) {
          throw new ImportFormatException("row " + (rows.size() + 1) + " has " + values.size() + " values under a header of " + header.size());
        }
        Map<String, JsonNode> row = new LinkedHashMap<>();
        for (int i = 0; i < values.size(); i++) {
          row.put(header.get(i), JSON.getNodeFactory().textNode(values.get(i)));
        }
        rows.add(row);
        limited(rows);
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof ImportFormatException ife) {
        throw ife;
      }
      throw new ImportFormatException("not llama-bench CSV (row " + (rows.size() + 1) + "): " + firstLine(e.getMessage()));
    }
    return rows;
  }

  private static List<Map<String, JsonNode>> markdown(String text) {
    List<String> header = null;
    List<Map<String, JsonNode>> rows = new ArrayList<>();
    String buildCommit = null;
    String buildNumber = null;
    for (String line : text.split("\\R")) {
      String trimmed = line.strip();
      Matcher build = BUILD.matcher(trimmed);
      if (build.matches()) {
        buildCommit = build.group(1);
        buildNumber = build.group(2);
      }
      if (!trimmed.startsWith("|")) {
        continue;
      }
      List<String> cells = cells(trimmed);
      if (header == null) {
        header = cells.stream().map(c -> MARKDOWN_NAMES.getOrDefault(c, c)).toList();
      } else if (cells.stream().allMatch(c -> c.matches(":?-+:?"))) {
        continue;
      } else {
        if (cells.size() != header.size()) {
          throw new ImportFormatException("markdown row " + (rows.size() + 1) + " has " + cells.size() + " cells under a header of " + header.size());
        }
        Map<String, JsonNode> row = new LinkedHashMap<>();
        for (int i = 0; i < cells.size(); i++) {
          row.put(header.get(i), JSON.getNodeFactory().textNode(cells.get(i)));
        }
        rows.add(row);
        limited(rows);
      }
    }
    if (header != null && !(header.contains("test") && header.contains("t/s"))) {
      throw new ImportFormatException("not a llama-bench table: its header has no 'test' and 't/s' columns");
    }
    for (Map<String, JsonNode> row : rows) {
      if (buildCommit != null) {
        row.put("build_commit", JSON.getNodeFactory().textNode(buildCommit));
        row.put("build_number", JSON.getNodeFactory().textNode(buildNumber));
      }
    }
    return rows;
  }

  private static List<String> cells(String line) {
    String inner = line.substring(1, line.endsWith("|") && line.length() > 1 ? line.length() - 1 : line.length());
    List<String> cells = new ArrayList<>();
    for (String cell : inner.split("\\|", -1)) {
      cells.add(cell.strip());
    }
    return cells;
  }

  private static LlamaBenchRow row(int number, Map<String, JsonNode> raw) {
    RowReader r = new RowReader(number, raw);
    LlamaBenchRow.Test test;
    OptionalDouble stddevTs;
    double avgTs;
    if (raw.containsKey("t/s")) {
      test = r.testName();
      Matcher m = MEAN_SD.matcher(r.text("t/s").orElse(""));
      if (!m.matches()) {
        throw r.bad("t/s", "is not 'mean ± sd'");
      }
      avgTs = r.positive("t/s", m.group(1));
      stddevTs = m.group(2) == null ? OptionalDouble.empty() : OptionalDouble.of(r.nonNegative("t/s (sd)", m.group(2)));
    } else {
      test = new LlamaBenchRow.Test(r.count("n_prompt"), r.count("n_gen"), r.optionalCount("n_depth").orElse(0));
      avgTs = r.positive("avg_ts", r.required("avg_ts"));
      stddevTs = r.text("stddev_ts").map(v -> OptionalDouble.of(r.nonNegative("stddev_ts", v))).orElse(OptionalDouble.empty());
    }
    if (test.promptTokens() == 0 && test.generatedTokens() == 0) {
      throw r.bad("n_prompt/n_gen", "are both 0: the row measured nothing");
    }
    Map<String, String> configuration = new LinkedHashMap<>();
    raw.forEach((k, v) -> {
      if (!NOT_CONFIGURATION.contains(k) && !v.isContainerNode()) {
        configuration.put(k, normalizedMarkdownValue(k, v.asText()));
      }
    });
    List<Long> samplesNs = r.longs("samples_ns");
    List<Double> samplesTs = r.doubles("samples_ts");
    if (!samplesTs.isEmpty() && samplesTs.size() != samplesNs.size()) {
      throw r.bad("samples_ts", "has " + samplesTs.size() + " values for " + samplesNs.size() + " samples_ns");
    }
    return new LlamaBenchRow(number, test, configuration, r.time("test_time"), avgTs, stddevTs,
        r.text("avg_ns").map(v -> OptionalLong.of((long) r.positive("avg_ns", v))).orElse(OptionalLong.empty()), samplesNs, samplesTs);
  }

  /** Markdown writes sizes as "3.56 GiB" and parameters as "6.74 B"; the other formats as plain numbers, which this turns them into. */
  private static String normalizedMarkdownValue(String field, String value) {
    if (field.equals("model_size")) {
      Matcher m = SIZE.matcher(value);
      if (m.matches()) {
        int power = List.of("B", "KiB", "MiB", "GiB", "TiB").indexOf(m.group(2));
        return String.valueOf(Math.round(Double.parseDouble(m.group(1)) * Math.pow(1024, power)));
      }
    }
    if (field.equals("model_n_params")) {
      Matcher m = COUNT.matcher(value);
      if (m.matches() && !m.group(2).isEmpty()) {
        int power = "KMBT".indexOf(m.group(2)) + 1;
        return String.valueOf(Math.round(Double.parseDouble(m.group(1)) * Math.pow(1000, power)));
      }
    }
    return value;
  }

  private static JsonNode readJson(String text, String where) {
    try {
      return JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new ImportFormatException(where + " is not JSON: " + firstLine(e.getOriginalMessage()));
    }
  }

  private static Map<String, JsonNode> object(JsonNode node, int number) {
    if (!node.isObject()) {
      throw new ImportFormatException("result " + number + " is not a JSON object");
    }
    Map<String, JsonNode> row = new LinkedHashMap<>();
    node.fields().forEachRemaining(e -> row.put(e.getKey(), e.getValue()));
    return row;
  }

  private static List<Map<String, JsonNode>> limited(List<Map<String, JsonNode>> rows) {
    if (rows.size() > MAX_ROWS) {
      throw new ImportFormatException("more than " + MAX_ROWS + " results in one file");
    }
    return rows;
  }

  private static String firstLine(String message) {
    String m = message == null ? "unreadable" : message;
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }

  /** Typed reads of one raw row; every failure names the row and field. */
  private record RowReader(int number, Map<String, JsonNode> raw) {
    ImportFormatException bad(String field, String problem) {
      return new ImportFormatException("row " + number + ": " + field + " " + problem);
    }

    Optional<String> text(String field) {
      JsonNode v = raw.get(field);
      return v == null || v.isNull() || v.isContainerNode() || v.asText().isBlank() ? Optional.empty() : Optional.of(v.asText().strip());
    }

    String required(String field) {
      return text(field).orElseThrow(() -> bad(field, "is missing"));
    }

    int count(String field) {
      return optionalCount(field).orElseThrow(() -> bad(field, "is missing"));
    }

    Optional<Integer> optionalCount(String field) {
      return text(field).map(v -> {
        try {
          int n = Integer.parseInt(v);
          if (n < 0 || n > 100_000_000) {
            throw bad(field, "= " + v + " is not a token count");
          }
          return n;
        } catch (NumberFormatException e) {
          throw bad(field, "= '" + shortened(v) + "' is not a whole number");
        }
      });
    }

    double positive(String field, String value) {
      double d = number(field, value);
      if (!(d > 0)) {
        throw bad(field, "= " + shortened(value) + " must be above 0");
      }
      return d;
    }

    double nonNegative(String field, String value) {
      double d = number(field, value);
      if (d < 0) {
        throw bad(field, "= " + shortened(value) + " is negative");
      }
      return d;
    }

    private double number(String field, String value) {
      try {
        double d = Double.parseDouble(value);
        if (!Double.isFinite(d)) {
          throw bad(field, "= " + shortened(value) + " is not finite");
        }
        return d;
      } catch (NumberFormatException e) {
        throw bad(field, "= '" + shortened(value) + "' is not a number");
      }
    }

    LlamaBenchRow.Test testName() {
      String name = required("test");
      Matcher m = TEST.matcher(name);
      if (!m.matches() || (m.group(1) == null && m.group(2) == null)) {
        throw bad("test", "= '" + shortened(name) + "' is not a llama-bench test (pp512, tg128, pp512+tg128, tg128 @ d512)");
      }
      return new LlamaBenchRow.Test(group(m, 1, name), group(m, 2, name), group(m, 3, name));
    }

    private int group(Matcher m, int group, String name) {
      String g = m.group(group);
      if (g == null) {
        return 0;
      }
      try {
        return Integer.parseInt(g);
      } catch (NumberFormatException e) {
        throw bad("test", "= '" + shortened(name) + "' has a count too large");
      }
    }

    Optional<Instant> time(String field) {
      return text(field).map(v -> {
        try {
          return Instant.parse(v);
        } catch (DateTimeParseException e) {
          throw bad(field, "= '" + shortened(v) + "' is not an ISO-8601 time such as 2025-04-24T11:58:50Z");
        }
      });
    }

    List<Long> longs(String field) {
      List<Long> values = new ArrayList<>();
      for (JsonNode v : array(field)) {
        double d = positive(field, v.asText());
        values.add((long) d);
      }
      return values;
    }

    List<Double> doubles(String field) {
      List<Double> values = new ArrayList<>();
      for (JsonNode v : array(field)) {
        values.add(positive(field, v.asText()));
      }
      return values;
    }

    private JsonNode array(String field) {
      JsonNode v = raw.get(field);
      if (v == null || v.isNull()) {
        return JSON.createArrayNode();
      }
      if (!v.isArray()) {
        throw bad(field, "is not an array");
      }
      if (v.size() > MAX_SAMPLES) {
        throw bad(field, "has more than " + MAX_SAMPLES + " values");
      }
      return v;
    }

    private static String shortened(String value) {
      return value.length() > 40 ? value.substring(0, 40) + "…" : value;
    }
  }
}
