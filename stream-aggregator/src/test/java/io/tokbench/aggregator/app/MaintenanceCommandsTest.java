package io.tokbench.aggregator.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokbench.aggregator.estimate.ModelForm;
import io.tokbench.testkit.FreePorts;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The estimator's maintenance subcommands explain themselves and fail in one line with documented codes. */
class MaintenanceCommandsTest {

  @Test
  void helpTeachesBothSubcommandsAndTheirExitCodes() {
    StringWriter out = new StringWriter();
    CommandLine command = ShortUsageErrors.commandLine(new AggregatorCommand()).setOut(new PrintWriter(out));
    assertThat(command.execute("evaluate", "--help")).isZero();
    assertThat(out.toString()).containsIgnoringCase("leave-one-GPU-out").contains("--api", "TOKBENCH_API_URL", "Exit codes:");
    assertThat(out.toString().replaceAll("\\s+", " ")).as("--without names every term of the model")
        .contains(Arrays.stream(ModelForm.Term.values()).map(ModelForm.Term::optionName).toArray(String[]::new));
    assertThat(command.execute("recalibrate", "--help")).isZero();
    assertThat(out.toString()).contains("--output", "JSON");
  }

  @Test
  void aBadOptionIsRefusedInOneLineWithExitTwo() {
    StringWriter err = new StringWriter();
    CommandLine command = writingErrorsTo(err);
    assertThat(command.execute("evaluate", "--apii", "x")).isEqualTo(2);
    assertThat(err.toString()).hasLineCount(1).contains("--apii");
  }

  @Test
  void aTermTheModelDoesNotHaveIsABadOptionNamingTheOnesItHas() {
    StringWriter err = new StringWriter();
    CommandLine command = writingErrorsTo(err);
    assertThat(command.execute("evaluate", "--published", "src/test/resources/published", "--without", "depth,gravity")).isEqualTo(2);
    assertThat(err.toString()).hasLineCount(1).contains("--without", "'gravity'", "memory-class", "pipeline");
  }

  @Test
  void anUnreachableAggregatorIsExitOneWithTheReason() throws IOException {
    int closedPort = FreePorts.next();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream original = System.err;
    System.setErr(new PrintStream(err, true));
    try {
      assertThat(ShortUsageErrors.commandLine(new AggregatorCommand()).execute("evaluate", "--api", "http://127.0.0.1:" + closedPort)).isEqualTo(1);
    } finally {
      System.setErr(original);
    }
    assertThat(err.toString()).startsWith("evaluate: ").hasLineCount(1);
  }

  @Test
  void holdingOutBySourceNeedsPublishedRowsAndAKnownFold() {
    StringWriter err = new StringWriter();
    CommandLine command = writingErrorsTo(err);
    assertThat(command.execute("evaluate", "--hold-out", "gpu-and-source")).isEqualTo(2);
    assertThat(err.toString()).hasLineCount(1).contains("--hold-out gpu-and-source needs --published");
    err.getBuffer().setLength(0);
    assertThat(command.execute("evaluate", "--published", "src/test/resources/published", "--hold-out", "model")).isEqualTo(2);
    assertThat(err.toString()).hasLineCount(1).contains("'model'", "gpu or gpu-and-source");
  }

  /** The aggregator's command line as its launcher builds it, its error output kept in {@code err}. */
  private static CommandLine writingErrorsTo(StringWriter err) {
    return ShortUsageErrors.commandLine(new AggregatorCommand()).setErr(new PrintWriter(err));
  }
}
