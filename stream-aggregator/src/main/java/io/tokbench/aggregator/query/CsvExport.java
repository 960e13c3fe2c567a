package io.tokbench.aggregator.query;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import io.tokbench.schema.Percentiles;
import io.tokbench.schema.StatsKey;
import io.tokbench.schema.StatsRow;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The statistics table as CSV (RFC 4180 through Jackson's CSV writer: fields with commas, quotes,
 * CR or LF are quoted), with the raw rates. Text that a spreadsheet would run as a formula (starting
 * with =, +, -, @, tab or CR) gets a leading apostrophe, as OWASP advises for CSV injection.
 */
final class CsvExport {
  private static final CsvMapper CSV = new CsvMapper();
  private static final CsvSchema SCHEMA = CsvSchema.builder()
      .addColumns(List.of("model", "gpu", "gpuCount", "quant", "runtime", "ctx", "suite", "offload", "concurrency",
          "backend", "p10", "p25", "median", "p75", "p90", "reportCount", "rigCount", "firstReportAt", "lastReportAt"), CsvSchema.ColumnType.NUMBER_OR_STRING)
      .setUseHeader(true).build();
  private static final Pattern FORMULA = Pattern.compile("^[=+\\-@\\t\\r]");

  private CsvExport() {}

  static String render(List<StatsRow> rows) {
    List<List<Object>> lines = new ArrayList<>();
    for (StatsRow r : rows) {
      StatsKey k = r.getKey();
      Percentiles p = r.getGenerationTokensPerSecond();
      lines.add(List.of(text(k.getModel()), text(k.getGpu()), k.getGpuCount(), text(k.getQuantization()), text(k.getRuntime()), k.getContextBucket(),
          text(k.getSuiteId()), k.getOffloadClass().name(), k.getConcurrency(), text(k.getBackend()), p.getP10(), p.getP25(), p.getMedian(), p.getP75(), p.getP90(),
          r.getReportCount(), r.getRigCount(), r.getFirstReportAt().toString(), r.getLastReportAt().toString()));
    }
    try {
      return CSV.writer(SCHEMA).writeValueAsString(lines);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String text(String value) {
    return FORMULA.matcher(value).find() ? "'" + value : value;
  }
}
