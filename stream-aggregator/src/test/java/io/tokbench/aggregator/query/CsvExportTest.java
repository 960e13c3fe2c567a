package io.tokbench.aggregator.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import io.tokbench.schema.OffloadClass;
import io.tokbench.schema.Percentiles;
import io.tokbench.schema.StatsKey;
import io.tokbench.schema.StatsRow;
import io.tokbench.schema.TypicalSetup;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The CSV export read back by a CSV reader: hostile text stays in its cell and never runs as a formula. */
class CsvExportTest {
  @Test
  void textWithLineBreaksCommasAndQuotesStaysInItsCellAndFormulasAreDefused() throws Exception {
    StatsRow row = StatsRow.newBuilder()
        .setKey(new StatsKey("raw:evil\r\nmodel,\"x\"", "=HYPERLINK(\"http://x\")", 1, "+1+1", "@SUM(A1)", 8192, "-2+3", OffloadClass.FULL_GPU, 1, "=CUDA"))
        .setGenerationTokensPerSecond(new Percentiles(80.123456789, 85.0, 90.98765432, 95.0, 100.0))
        .setPromptTokensPerSecond(null).setTimeToFirstTokenMillis(null)
        .setReportCount(3).setRigCount(2).setFirstReportAt(Instant.parse("2026-01-01T00:00:00Z")).setLastReportAt(Instant.parse("2026-01-02T00:00:00Z"))
        .setTypicalSetup(new TypicalSetup("linux", "0.5.7", "CUDA")).setModelFacts(null).build();

    String csv = CsvExport.render(List.of(row));

    CsvMapper mapper = new CsvMapper().enable(CsvParser.Feature.WRAP_AS_ARRAY);
    try (MappingIterator<List<String>> lines = mapper.readerForListOf(String.class).readValues(csv)) {
      List<List<String>> all = lines.readAll();
      assertThat(all).hasSize(2);
      assertThat(all.get(0)).startsWith("model", "gpu", "gpuCount", "quant", "runtime", "ctx", "suite");
      List<String> cells = all.get(1);
      assertThat(cells).hasSize(19);
      assertThat(cells.get(0)).isEqualTo("raw:evil\r\nmodel,\"x\"");
      assertThat(cells.get(1)).isEqualTo("'=HYPERLINK(\"http://x\")");
      assertThat(cells.get(3)).isEqualTo("'+1+1");
      assertThat(cells.get(4)).isEqualTo("'@SUM(A1)");
      assertThat(cells.get(6)).isEqualTo("'-2+3");
      assertThat(cells.get(9)).isEqualTo("'=CUDA");
      assertThat(cells.get(10)).as("the export keeps raw rates").isEqualTo("80.123456789");
      assertThat(cells.get(12)).isEqualTo("90.98765432");
    }
  }

  @Test
  void ratesAreRoundedAsPeopleReadThem() {
    assertThat(RowJson.rate(157.048109983049)).isEqualTo(157.0);
    assertThat(RowJson.rate(88.4312)).isEqualTo(88.4);
    assertThat(RowJson.rate(3212.6)).isEqualTo(3213.0);
    assertThat(RowJson.rate(8.4567)).isEqualTo(8.46);
    assertThat(RowJson.rate(0.012345)).isEqualTo(0.0123);
  }
}
