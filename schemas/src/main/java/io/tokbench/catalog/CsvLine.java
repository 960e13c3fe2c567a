package io.tokbench.catalog;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The catalogs' CSV: '#' comment lines, a header line, then rows; cells may be double-quoted. */
public final class CsvLine {
  private CsvLine() {}

  /** One data row by column name, with its line number for error messages. */
  public record Row(int lineNumber, Map<String, String> cells) {}

  /** Every data row of a catalog file; cells are trimmed, missing trailing cells are empty. */
  public static List<Row> rows(InputStream in) throws IOException {
    BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    List<Row> rows = new ArrayList<>();
    List<String> header = null;
    String line;
    int number = 0;
    while ((line = reader.readLine()) != null) {
      number++;
      if (line.isBlank() || line.stripLeading().startsWith("#")) {
        continue;
      }
      List<String> cells = split(line);
      if (header == null) {
        header = cells.stream().map(String::trim).toList();
        continue;
      }
      Map<String, String> row = new HashMap<>();
      for (int i = 0; i < header.size(); i++) {
        row.put(header.get(i), i < cells.size() ? cells.get(i).trim() : "");
      }
      rows.add(new Row(number, row));
    }
    return rows;
  }

  /** A catalog bundled as a class-path resource; a missing or unreadable one is a broken build. */
  public static <T> T resource(Class<?> owner, String resource, String what, Parser<T> parser) {
    try (InputStream in = owner.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(what + " " + resource + " is missing from the classpath");
      }
      return parser.parse(in);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + what + " " + resource, e);
    }
  }

  /** Reads a catalog from its CSV. */
  @FunctionalInterface
  public interface Parser<T> {
    T parse(InputStream in) throws IOException;
  }

  /** The values of a '|'-separated cell, trimmed, blanks dropped. */
  public static List<String> values(String cell) {
    List<String> values = new ArrayList<>();
    if (cell != null) {
      for (String value : cell.split("\\|")) {
        if (!value.isBlank()) {
          values.add(value.trim());
        }
      }
    }
    return values;
  }

  private static List<String> split(String line) {
    List<String> cells = new ArrayList<>();
    StringBuilder cell = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '"') {
        if (quoted && i + 1 < line.length() && line.charAt(i + 1) == '"') {
          cell.append('"');
          i++;
        } else {
          quoted = !quoted;
        }
      } else if (c == ',' && !quoted) {
        cells.add(cell.toString());
        cell.setLength(0);
      } else {
        cell.append(c);
      }
    }
    cells.add(cell.toString());
    return cells;
  }
}
