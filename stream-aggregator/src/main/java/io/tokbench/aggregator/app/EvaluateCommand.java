package io.tokbench.aggregator.app;

import io.tokbench.aggregator.estimate.Evaluation;
import io.tokbench.aggregator.estimate.ModelForm;
import io.tokbench.aggregator.estimate.published.PublishedResults;
import io.tokbench.catalog.GpuCatalog;
import io.tokbench.catalog.ModelCatalog;
import io.tokbench.schema.StatsRow;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code evaluate}: leave-one-GPU-out (or GPU-and-source-out) accuracy of the estimator, prior and calibrated side by side. */
@Command(
    name = "evaluate",
    mixinStandardHelpOptions = true,
    description = {
      "Leave-one-GPU-out cross-validation of the estimator: for each GPU, calibrates on every other GPU's rows and predicts this GPU's single-user "
          + "generation and prompt-processing medians. Prints the median absolute percentage error and the share of predictions within ±20 %%, "
          + "for the uncalibrated prior and the calibrated estimator, overall and per backend (and per source for published results).",
      "--without TERM evaluates the calibrated model with a term left out (at its neutral value, the rest fitted without it), "
          + "to measure what the term is worth (the terms are listed under --without below).",
      "--hold-out gpu-and-source (published results only) predicts each GPU's rows of one source from the rows of other GPUs and other "
          + "sources: a source's rows share a build and a method, so this is what a new source should expect.",
      "%nExamples:%n  stream-aggregator evaluate --api http://localhost:8080"
          + "%n  stream-aggregator evaluate --published stream-aggregator/src/test/resources/published"
          + "%n  stream-aggregator evaluate --published stream-aggregator/src/test/resources/published --without depth"
          + "%n  stream-aggregator evaluate --published stream-aggregator/src/test/resources/published --hold-out gpu-and-source"
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:evaluated", "1:the aggregator or the published results could not be read, or no row can be predicted", "2:bad option"})
final class EvaluateCommand implements Callable<Integer> {
  @Mixin ApiOption api;

  @Option(names = "--published", paramLabel = "DIR",
      description = "Evaluate on published benchmark results in DIR (the format of stream-aggregator/src/test/resources/published) instead of a running aggregator.")
  Path published;

  @Option(names = "--without", paramLabel = "TERM", split = ",", converter = TermConverter.class, completionCandidates = TermNames.class,
      description = "Leave a term out of the calibrated model (repeatable or comma-separated): ${COMPLETION-CANDIDATES}.")
  List<ModelForm.Term> without = new ArrayList<>();

  @Option(names = "--hold-out", paramLabel = "FOLD", converter = HoldOutConverter.class,
      description = "What each prediction is held out from: gpu (default: its GPU's rows) or gpu-and-source (its GPU's rows and its source's; with --published).")
  HoldOut holdOut = HoldOut.GPU;

  /** What a held-out row's calibration must not have seen. */
  enum HoldOut {
    GPU("gpu", "leave-one-GPU-out"),
    GPU_AND_SOURCE("gpu-and-source", "leave-one-GPU-and-source-out");

    final String optionName;
    final String title;

    HoldOut(String optionName, String title) {
      this.optionName = optionName;
      this.title = title;
    }
  }

  static final class HoldOutConverter implements CommandLine.ITypeConverter<HoldOut> {
    @Override
    public HoldOut convert(String value) {
      return Arrays.stream(HoldOut.values()).filter(h -> h.optionName.equals(value.strip().toLowerCase(Locale.ROOT))).findFirst()
          .orElseThrow(() -> new CommandLine.TypeConversionException("'" + value + "' is not a hold-out: use gpu or gpu-and-source"));
    }
  }

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** The terms' option names, for --without's help: the model's own list, never a copy of it. */
  static final class TermNames implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return Arrays.stream(ModelForm.Term.values()).map(ModelForm.Term::optionName).iterator();
    }
  }

  /** A term by its option name; anything else is a bad option naming the ones there are. */
  static final class TermConverter implements CommandLine.ITypeConverter<ModelForm.Term> {
    @Override
    public ModelForm.Term convert(String value) {
      return ModelForm.Term.ofName(value)
          .orElseThrow(() -> new CommandLine.TypeConversionException("'" + value + "' is not a term of the model: use " + ModelForm.Term.names()));
    }
  }

  @Override
  public Integer call() {
    if (holdOut == HoldOut.GPU_AND_SOURCE && published == null) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--hold-out gpu-and-source needs --published: only published rows name their source");
    }
    try {
      Map<StatsRow, String> sources = new IdentityHashMap<>();
      List<StatsRow> rows = published == null ? exported() : published(sources);
      ModelForm form = new ModelForm(Set.copyOf(without));
      Evaluation.Result result = holdOut == HoldOut.GPU ? Evaluation.leaveOneGpuOut(rows, GpuCatalog.shared(), ModelCatalog.shared(), form)
          : Evaluation.leaveOneGpuAndSourceOut(rows, sources::get, GpuCatalog.shared(), ModelCatalog.shared(), form);
      if (result.rows() == 0) {
        System.err.println("evaluate: none of the " + rows.size() + " statistics rows is single-user, fully on a catalog GPU, with a known file size");
        return 1;
      }
      if (!form.without().isEmpty()) {
        System.out.println("calibrated model without: " + form.describeWithout());
      }
      print(System.out, holdOut.title, result, sources.isEmpty() ? null : p -> sources.get(p.row()));
      return 0;
    } catch (IOException | RuntimeException e) {
      System.err.println("evaluate: " + e.getMessage());
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    }
  }

  private List<StatsRow> exported() throws IOException, InterruptedException {
    return ExportedRows.read(api.client());
  }

  private List<StatsRow> published(Map<StatsRow, String> sources) throws IOException {
    if (!Files.isDirectory(published)) {
      throw new IOException("--published " + published + " is not a directory");
    }
    List<StatsRow> rows = new ArrayList<>();
    for (PublishedResults.PublishedRow row : PublishedResults.load(published, GpuCatalog.shared(), ModelCatalog.shared())) {
      rows.add(row.row());
      sources.put(row.row(), row.source());
    }
    return rows;
  }

  /**
   * The tables: overall, per backend, and per source when the rows have one; then the calibrated
   * scores by how many GPUs the group each prediction came from measured (its band is measured on
   * those GPUs held out, which a group of one GPU cannot do).
   */
  static void print(PrintStream out, String title, Evaluation.Result result, Function<Evaluation.Prediction, String> source) {
    out.printf(Locale.ROOT, "%s over %d rows on %d GPUs (single-user, held fully in GPU memory)%n", title, result.rows(), result.gpus());
    printLine(out, "%-36s %5s  %-21s %-30s %5s  %-21s %-30s", "", "gen", "generation: prior", "generation: calibrated",
        "pp", "prompt: prior", "prompt: calibrated");
    printLine(out, "%-36s %5s  %-21s %-30s %5s  %-21s %-30s", "", "rows", "median APE  ±20 %", "median APE  ±20 %  in band",
        "rows", "median APE  ±20 %", "median APE  ±20 %  in band");
    line(out, "all", result.overall());
    result.by(p -> p.backend()).forEach((backend, scores) -> line(out, "backend " + backend, scores));
    if (source != null) {
      result.by(source).forEach((name, scores) -> line(out, "source " + name, scores));
    }
    out.println();
    printLine(out, "%-36s %5s  %-30s %5s  %-30s", "GPUs of the group predicted from", "gen", "generation: calibrated", "pp", "prompt: calibrated");
    printLine(out, "%-36s %5s  %-30s %5s  %-30s", "", "rows", "median APE  ±20 %  in band", "rows", "median APE  ±20 %  in band");
    result.bandsByGroupGpus().forEach((size, scores) -> printLine(out, "%-36s %5d  %s %5d  %s", size,
        scores.generation().rows(), calibratedCell(scores.generation()), scores.prompt().rows(), calibratedCell(scores.prompt())));
  }

  private static void line(PrintStream out, String label, Evaluation.Scores s) {
    printLine(out, "%-36s %5d  %s %s %5d  %s %s", label, s.generationCalibrated().rows(), cell(s.generationPrior()), calibratedCell(s.generationCalibrated()),
        s.promptCalibrated().rows(), cell(s.promptPrior()), calibratedCell(s.promptCalibrated()));
  }

  /** A table line without the padding of its last column, so the table can be pasted and compared as it is. */
  private static void printLine(PrintStream out, String format, Object... args) {
    out.println(String.format(Locale.ROOT, format, args).stripTrailing());
  }

  private static String cell(Evaluation.Score score) {
    return score.rows() == 0 ? String.format(Locale.ROOT, "%-21s", "-")
        : String.format(Locale.ROOT, "%8.1f %%  %5.0f %%  ", score.medianAbsolutePercentageError(), score.shareWithin20Percent());
  }

  /** With the share of measured figures inside the band the estimate states: about half, if the band is honest. */
  private static String calibratedCell(Evaluation.Score score) {
    return score.rows() == 0 ? String.format(Locale.ROOT, "%-30s", "-")
        : cell(score) + String.format(Locale.ROOT, "%5.0f %%  ", score.shareWithinBand());
  }
}
