package io.tokbench.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokbench.agent.fakes.AgentRun;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code tokbench-agent import} as a person meets it: help that teaches, one-line errors with documented exit codes. */
class ImportCommandLineTest {
  private static final Path FIXTURES = Path.of("src/test/resources/llama-bench").toAbsolutePath();
  @TempDir Path home;

  @Test
  void helpExplainsWhatIsImportedAndHowWithoutAFormattingWarning() {
    PrintStream realErr = System.err;
    ByteArrayOutputStream picocliWarnings = new ByteArrayOutputStream();
    AgentRun.Result result;
    try {
      System.setErr(new PrintStream(picocliWarnings, true, StandardCharsets.UTF_8));
      result = new AgentRun(home).run("import", "--help");
    } finally {
      System.setErr(realErr);
    }
    assertThat(result.exitCode()).isZero();
    assertThat(result.out()).contains("llama-bench -m model.gguf", "-o json", "samples_ns", "depth 0", "own suite", "--gpu", "--gpu-count",
        "--format", "--model", "--dry-run", "--yes", "Exit codes:", "not llama-bench output", "never the path");
    assertThat(picocliWarnings.toString(StandardCharsets.UTF_8)).isEmpty();
    assertThat(new AgentRun(home).run("--help").out()).contains("import");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = ';', value = {
      "an unknown format;--format xml;--format xml: use json, jsonl, csv or md",
      "a count without a GPU;--gpu-count 2;--gpu-count needs --gpu",
      "no GPUs;--gpu RTX --gpu-count 0;--gpu-count 0: use 1 to 64",
      "a count that is no number;--gpu RTX --gpu-count two;--gpu-count",
      "a GPU name with a newline;--gpu A\\nB;--gpu: use the GPU's name",
  })
  void aBadFlagGetsOneLineAndExitCode2(String description, String flags, String message) {
    String[] args = ("import " + FIXTURES.resolve("upstream-readme-rtx4080.json") + " " + flags).split(" ");
    for (int i = 0; i < args.length; i++) {
      args[i] = args[i].replace("\\n", "\n");
    }
    AgentRun.Result result = new AgentRun(home).run(args);
    assertThat(result.exitCode()).as(description).isEqualTo(ExitCodes.USAGE);
    assertThat(result.err().strip().lines()).as(description).hasSize(1);
    assertThat(result.err()).as(description).contains(message);
  }

  @Test
  void aMarkdownTableNeedsTheModelsNameAndSaysSo() {
    AgentRun.Result result = new AgentRun(home).run("import", FIXTURES.resolve("tiny-p512-n128-d0,512-r3.md").toString(), "--dry-run");
    assertThat(result.exitCode()).isEqualTo(ExitCodes.BAD_INPUT_FILE);
    assertThat(result.err().strip().lines()).hasSize(1);
    assertThat(result.err()).contains("--model").doesNotContain("Exception");

    AgentRun.Result named = new AgentRun(home).run("import", FIXTURES.resolve("tiny-p512-n128-d0,512-r3.md").toString(), "--model", "tiny", "--dry-run");
    assertThat(named.exitCode()).as(named.err()).isZero();
    assertThat(named.err()).contains("4 row(s), 2 report(s)", "Dry run: nothing published.");
    assertThat(named.out()).contains("tiny");
  }

  @Test
  void aFileThatIsNotLlamaBenchOutputIsExitCode11InOneLine() throws Exception {
    Path notes = Files.writeString(home.resolve("notes.json"), "{\"hello\": \"world\"}");
    AgentRun.Result result = new AgentRun(home).run("import", notes.toString(), "--dry-run");
    assertThat(result.exitCode()).isEqualTo(ExitCodes.BAD_INPUT_FILE);
    assertThat(result.err().strip().lines()).hasSize(1);
    assertThat(result.err()).contains("notes.json", "not an array").doesNotContain(home.toString());

    AgentRun.Result missing = new AgentRun(home).run("import", home.resolve("nowhere.csv").toString());
    assertThat(missing.exitCode()).isEqualTo(ExitCodes.BAD_INPUT_FILE);
    assertThat(missing.err().strip().lines()).hasSize(1);
  }

  @Test
  void promptRowsWithoutAGenerationRowAreListedAsSkipped() throws Exception {
    Path ppOnly = Files.writeString(home.resolve("pp.jsonl"), "{\"n_prompt\": 512, \"n_gen\": 0, \"avg_ts\": 1000, \"model_filename\": \"m.gguf\"}\n"
        + "{\"n_prompt\": 0, \"n_gen\": 128, \"avg_ts\": 50, \"model_filename\": \"m.gguf\", \"n_threads\": 4}\n");
    AgentRun.Result result = new AgentRun(home).run("import", ppOnly.toString(), "--dry-run");
    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.err()).contains("skipped row 1 (pp512)", "2 row(s), 1 report(s)");
  }
}
