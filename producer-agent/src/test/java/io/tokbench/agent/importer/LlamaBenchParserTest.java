package io.tokbench.agent.importer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** llama-bench's four documented outputs, as the real llama-bench of shared/runtimes wrote them (see the fixtures' README). */
class LlamaBenchParserTest {
  static final Path FIXTURES = Path.of("src/test/resources/llama-bench");
  static final String TINY = "tiny-p512-n128-d0,512-r3.";

  static String fixture(String name) throws IOException {
    return Files.readString(FIXTURES.resolve(name), StandardCharsets.UTF_8);
  }

  @ParameterizedTest
  @ValueSource(strings = {"json", "jsonl", "csv", "md"})
  void everyFormatYieldsTheFourTestsOfTheRun(String extension) throws IOException {
    String text = fixture(TINY + extension);
    LlamaBenchFormat format = LlamaBenchFormat.ofName(extension).orElseThrow();
    assertThat(LlamaBenchFormat.sniff(text)).as("the text alone tells the format").isEqualTo(format);

    List<LlamaBenchRow> rows = LlamaBenchParser.parse(text, format);

    assertThat(rows).extracting(r -> r.test().label()).containsExactly("pp512", "tg128", "pp512 @ d512", "tg128 @ d512");
    assertThat(rows).allSatisfy(r -> {
      assertThat(r.avgTs()).isPositive();
      assertThat(r.field("backends")).contains("CPU");
      assertThat(r.field("model_n_params").map(Long::parseLong).orElseThrow()).isBetween(24_400_000L, 24_420_000L);
    });
    boolean samples = extension.startsWith("json");
    assertThat(rows).allSatisfy(r -> assertThat(r.samplesNs()).hasSize(samples ? 3 : 0));
  }

  @Test
  void jsonSamplesAreTheRepetitionsAndTheirRatesAgreeWithTheTimes() throws IOException {
    LlamaBenchRow tg = LlamaBenchParser.parse(fixture(TINY + "json"), LlamaBenchFormat.JSON).get(1);
    for (int i = 0; i < 3; i++) {
      double rate = 128 / (tg.samplesNs().get(i) / 1e9);
      assertThat(tg.samplesTs().get(i)).as("samples_ts[%d] is 128 tokens / samples_ns[%d]", i, i).isCloseTo(rate, org.assertj.core.data.Percentage.withPercentage(0.1));
    }
  }

  @Test
  void markdownSizesParametersAndBuildBecomeTheOtherFormatsNumbers() throws IOException {
    LlamaBenchRow md = LlamaBenchParser.parse(fixture(TINY + "md"), LlamaBenchFormat.MD).get(0);
    LlamaBenchRow csv = LlamaBenchParser.parse(fixture(TINY + "csv"), LlamaBenchFormat.CSV).get(0);
    assertThat(Long.parseLong(md.field("model_size").orElseThrow()))
        .as("24.74 MiB, rounded to two decimals by llama-bench").isCloseTo(Long.parseLong(csv.field("model_size").orElseThrow()), org.assertj.core.data.Percentage.withPercentage(0.05));
    assertThat(md.field("build_number")).isEqualTo(csv.field("build_number"));
    assertThat(md.field("build_commit")).isEqualTo(csv.field("build_commit"));
    assertThat(md.field("n_threads")).contains("2");
    assertThat(md.stddevTs()).isPresent();
  }

  @Test
  void theUpstreamReadmesCsvExampleIsRefusedForItsMissingValue() {
    // Its header names 42 fields, its rows hold 41: read by position, n_depth would be the test time.
    assertThatThrownBy(() -> LlamaBenchParser.parse(fixture("upstream-readme-rtx4080.csv"), LlamaBenchFormat.CSV))
        .hasMessage("row 1 has 41 values under a header of 42");
  }

  @Test
  void theUpstreamReadmesJsonExampleReadsAsAGpuTable() throws IOException {
    List<LlamaBenchRow> rows = LlamaBenchParser.parse(fixture("upstream-readme-rtx4080.json"), LlamaBenchFormat.JSON);
    assertThat(rows).extracting(r -> r.test().label()).containsExactly("pp512", "tg128");
    assertThat(rows.get(1).avgTs()).isEqualTo(118.881588);
    assertThat(rows.get(1).samplesNs()).containsExactly(1075361300L, 1065089400L, 1071761200L, 1081934900L, 1089692600L);
    assertThat(rows.get(1).field("gpu_info")).contains("NVIDIA GeForce RTX 4080");
    assertThat(rows.get(0).configuration()).as("the two rows are one run").isEqualTo(rows.get(1).configuration());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = ';', quoteCharacter = '~', value = {
      "not JSON;JSON;[{\"n_prompt\": 0,;is not JSON",
      "an object, not an array;JSON;{\"n_gen\": 128};not an array",
      "a string where a row belongs;JSON;[\"tg128\"];result 1 is not a JSON object",
      "no avg_ts;JSON;[{\"n_prompt\": 0, \"n_gen\": 128}];row 1: avg_ts is missing",
      "a rate of 0;JSON;[{\"n_prompt\": 0, \"n_gen\": 128, \"avg_ts\": 0}];row 1: avg_ts = 0 must be above 0",
      "a negative token count;JSON;[{\"n_prompt\": 0, \"n_gen\": -128, \"avg_ts\": 5}];row 1: n_gen = -128 is not a token count",
      "a fractional token count;JSONL;{\"n_prompt\": 0, \"n_gen\": 12.5, \"avg_ts\": 5};row 1: n_gen = '12.5' is not a whole number",
      "NaN as a string;JSONL;{\"n_prompt\": 0, \"n_gen\": 128, \"avg_ts\": \"NaN\"};row 1: avg_ts = NaN is not finite",
      "a test of nothing;JSONL;{\"n_prompt\": 0, \"n_gen\": 0, \"avg_ts\": 5};measured nothing",
      "samples that are not an array;JSONL;{\"n_prompt\": 0, \"n_gen\": 128, \"avg_ts\": 5, \"samples_ns\": 7};row 1: samples_ns is not an array",
      "a negative sample;JSONL;{\"n_prompt\": 0, \"n_gen\": 128, \"avg_ts\": 5, \"samples_ns\": [-1]};row 1: samples_ns = -1 must be above 0",
      "a time that is no time;JSONL;{\"n_prompt\": 0, \"n_gen\": 128, \"avg_ts\": 5, \"test_time\": \"yesterday\"};is not an ISO-8601 time",
      "CSV without avg_ts;CSV;a,b\\n1,2;the header has no avg_ts column",
      "a table without test;MD;| model | t/s |\\n| --- | --- |\\n| x | 5 |;no 'test' and 't/s' columns",
      "a row of the wrong width;MD;| model | test | t/s |\\n| --- | --- | --- |\\n| x | tg128 |;has 2 cells under a header of 3",
      "an unknown test;MD;| model | test | t/s |\\n| --- | --- | --- |\\n| x | sd128 | 5 ± 1 |;'sd128' is not a llama-bench test",
      "t/s that is no number;MD;| model | test | t/s |\\n| --- | --- | --- |\\n| x | tg128 | fast |;t/s is not 'mean ± sd'",
      "an empty file;CSV;~~;no results in the file",
      "a CSV row shorter than its header;CSV;n_prompt,n_gen,avg_ts\\n0,128;row 1 has 2 values under a header of 3",
  })
  void hostileFilesAreRefusedNamingTheRowAndField(String description, LlamaBenchFormat format, String text, String message) {
    assertThatThrownBy(() -> LlamaBenchParser.parse(text.replace("\\n", "\n"), format))
        .as(description)
        .isInstanceOf(ImportFormatException.class)
        .hasMessageContaining(message);
  }
}
