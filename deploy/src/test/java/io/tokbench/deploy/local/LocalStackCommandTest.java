package io.tokbench.deploy.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokbench.aggregator.app.ShortUsageErrors;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command explains itself and rejects bad options with a short message and exit code 2. */
class LocalStackCommandTest {

  @Test
  void helpDescribesEveryOptionAndTheExitCodes() {
    StringWriter out = new StringWriter();
    CommandLine command = ShortUsageErrors.commandLine(new LocalStackCommand()).setOut(new PrintWriter(out));
    assertThat(command.execute("--help")).isZero();
    assertThat(out.toString()).contains("--data-dir", "--kafka-port", "--registry-port", "Ctrl-C", "Exit codes:");
  }

  @Test
  void aDemoIntervalBelowOneSecondIsABadOption() {
    StringWriter err = new StringWriter();
    CommandLine command = ShortUsageErrors.commandLine(new LocalStackCommand()).setErr(new PrintWriter(err));
    assertThat(command.execute("--demo-interval", "0")).isEqualTo(2);
    assertThat(err.toString()).hasLineCount(1).contains("--demo-interval");
  }

  @Test
  void aBadPortIsRefusedInOneLine() {
    StringWriter err = new StringWriter();
    CommandLine command = ShortUsageErrors.commandLine(new LocalStackCommand()).setErr(new PrintWriter(err));
    assertThat(command.execute("--kafka-port", "ninety")).isEqualTo(2);
    assertThat(err.toString()).hasLineCount(1).contains("--kafka-port").contains("ninety");
  }

  @Test
  void publishedResultsThatAreNotThereAreABadOption() {
    StringWriter err = new StringWriter();
    CommandLine command = ShortUsageErrors.commandLine(new LocalStackCommand()).setErr(new PrintWriter(err));
    assertThat(command.execute("--demo", "published", "--published", "no-such-directory")).isEqualTo(2);
    assertThat(err.toString()).hasLineCount(1).contains("--published no-such-directory").contains("no published results");
  }
}
