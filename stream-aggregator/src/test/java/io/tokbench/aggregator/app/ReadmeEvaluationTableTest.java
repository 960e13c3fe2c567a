package io.tokbench.aggregator.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The README's accuracy table is what {@code evaluate --published} prints today: the command shown
 * above the table is run and its output compared line for line, so a change to the estimator that
 * moves a figure fails here until the README says so.
 */
class ReadmeEvaluationTableTest {
  private static final Path README = Path.of("..").toAbsolutePath().normalize().resolve("README.md");
  private static final String COMMAND = "bin/tokbench-aggregator evaluate --published stream-aggregator/src/test/resources/published";
  private static final Pattern TABLE = Pattern.compile(Pattern.quote(COMMAND) + "\\n```\\n\\n```\\n(.*?)```", Pattern.DOTALL);

  @Test
  void theReadmesPublishedResultsTableIsWhatEvaluatePrints() throws Exception {
    Matcher table = TABLE.matcher(Files.readString(README));
    assertThat(table.find()).as("README shows `%s` followed by its output", COMMAND).isTrue();

    assertThat(table.group(1)).isEqualTo(evaluatePrints());
  }

  /** The new-source block: the overall and per-backend lines of {@code evaluate --hold-out gpu-and-source}. */
  @Test
  void theReadmesNewSourceTableIsWhatEvaluateHoldingOutSourcesPrints() throws Exception {
    Pattern block = Pattern.compile(Pattern.quote(COMMAND + " --hold-out gpu-and-source | grep -E '^(all|backend) '") + "\\n```\\n\\n```\\n(.*?)```", Pattern.DOTALL);
    Matcher table = block.matcher(Files.readString(README));
    assertThat(table.find()).as("README shows evaluate --hold-out gpu-and-source followed by its output").isTrue();

    assertThat(table.group(1)).isEqualTo(overallAndBackendLines(evaluatePrints("--hold-out", "gpu-and-source")));
  }

  /** The ablation block: for each term, the overall and per-backend lines of {@code evaluate --without TERM}. */
  @Test
  void theReadmesAblationTableIsWhatEvaluateWithoutPrints() throws Exception {
    Pattern block = Pattern.compile("for t in ([a-z -]+); do\\n.*?" + Pattern.quote(COMMAND) + " --without \\$t \\| grep -E '\\^\\(all\\|backend\\) '\\ndone\\n```\\n\\n```\\n(.*?)```",
        Pattern.DOTALL);
    Matcher table = block.matcher(Files.readString(README));
    assertThat(table.find()).as("README shows the ablation loop followed by its output").isTrue();

    StringBuilder expected = new StringBuilder();
    for (String term : table.group(1).split(" ")) {
      expected.append("without ").append(term).append('\n').append(overallAndBackendLines(evaluatePrints("--without", term)));
    }
    assertThat(table.group(2)).isEqualTo(expected.toString());
  }

  /** What {@code evaluate --published} with these options prints on stdout; it must exit 0. */
  private static String evaluatePrints(String... options) {
    List<String> args = new ArrayList<>(List.of("evaluate", "--published", "src/test/resources/published"));
    args.addAll(List.of(options));
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    PrintStream original = System.out;
    System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
    try {
      assertThat(new CommandLine(new AggregatorCommand()).execute(args.toArray(String[]::new))).isZero();
    } finally {
      System.setOut(original);
    }
    return printed.toString(StandardCharsets.UTF_8);
  }

  /** The lines {@code grep -E '^(all|backend) '} keeps. */
  private static String overallAndBackendLines(String printed) {
    StringBuilder lines = new StringBuilder();
    printed.lines().filter(l -> l.matches("^(all|backend) .*")).forEach(l -> lines.append(l).append('\n'));
    return lines.toString();
  }
}
