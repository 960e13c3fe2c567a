package io.tokbench.aggregator.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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

    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    PrintStream original = System.out;
    System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
    int exit;
    try {
      exit = new CommandLine(new AggregatorCommand()).execute("evaluate", "--published", "src/test/resources/published");
    } finally {
      System.setOut(original);
    }

    assertThat(exit).isZero();
    assertThat(table.group(1)).isEqualTo(printed.toString(StandardCharsets.UTF_8));
  }

  /** The new-source block: the overall and per-backend lines of {@code evaluate --hold-out gpu-and-source}. */
  @Test
  void theReadmesNewSourceTableIsWhatEvaluateHoldingOutSourcesPrints() throws Exception {
    Pattern block = Pattern.compile(Pattern.quote(COMMAND + " --hold-out gpu-and-source | grep -E '^(all|backend) '") + "\\n```\\n\\n```\\n(.*?)```", Pattern.DOTALL);
    Matcher table = block.matcher(Files.readString(README));
    assertThat(table.find()).as("README shows evaluate --hold-out gpu-and-source followed by its output").isTrue();

    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    PrintStream original = System.out;
    System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
    try {
      assertThat(new CommandLine(new AggregatorCommand()).execute("evaluate", "--published", "src/test/resources/published", "--hold-out", "gpu-and-source")).isZero();
    } finally {
      System.setOut(original);
    }
    StringBuilder expected = new StringBuilder();
    printed.toString(StandardCharsets.UTF_8).lines().filter(l -> l.matches("^(all|backend) .*")).forEach(l -> expected.append(l).append('\n'));
    assertThat(table.group(1)).isEqualTo(expected.toString());
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
      ByteArrayOutputStream printed = new ByteArrayOutputStream();
      PrintStream original = System.out;
      System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
      try {
        assertThat(new CommandLine(new AggregatorCommand()).execute("evaluate", "--published", "src/test/resources/published", "--without", term)).isZero();
      } finally {
        System.setOut(original);
      }
      expected.append("without ").append(term).append('\n');
      printed.toString(StandardCharsets.UTF_8).lines().filter(l -> l.matches("^(all|backend) .*")).forEach(l -> expected.append(l).append('\n'));
    }
    assertThat(table.group(2)).isEqualTo(expected.toString());
  }
}
