package io.tokbench.agent.cli;

import io.tokbench.agent.config.AgentConfig;
import io.tokbench.agent.config.RigIdentity;
import io.tokbench.agent.detect.DetectedGpu;
import io.tokbench.agent.detect.Rig;
import io.tokbench.agent.detect.RigDetector;
import io.tokbench.agent.gguf.GgufFacts;
import io.tokbench.agent.gguf.GgufFormatException;
import io.tokbench.agent.gguf.GgufReader;
import io.tokbench.agent.importer.ImportFormatException;
import io.tokbench.agent.importer.LlamaBenchFormat;
import io.tokbench.agent.importer.LlamaBenchParser;
import io.tokbench.agent.importer.LlamaBenchReports;
import io.tokbench.agent.importer.LlamaBenchRow;
import io.tokbench.agent.importer.NamedRig;
import io.tokbench.schema.BenchmarkReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** Publishes llama-bench's results as reports. */
@Command(
    name = "import",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Publishes the results of llama.cpp's llama-bench as tokbench reports.",
      "",
      "Reads what llama-bench writes with -o json, -o jsonl, -o csv or -o md (its default table), e.g.%n"
          + "  llama-bench -m model.gguf -p 512 -n 128 -d 0,4096 -r 5 -o json > results.json%n"
          + "  tokbench-agent import results.json",
      "",
      "One report per generation row (tg128, tg128 @ d4096, ...), carrying the prompt rate of the pp row of the same run "
          + "and depth. JSON and JSONL hold every repetition (samples_ns), which the report carries; CSV and markdown hold "
          + "only the mean, carried as one repetition with llama-bench's standard deviation. Prompt-only rows without a "
          + "generation row, and combined pp+tg rows, are listed as skipped.",
      "",
      "llama-bench's tg runs at depth 0, while the probe generates after its 512-token prompt, so imported reports get "
          + "their own suite (llama-bench-pp512-tg128, ...-d4096) and never share a table row with probed ones. "
          + "Importing the same file twice publishes the same report ids, which the aggregator counts once.",
      "",
      "On the machine that ran llama-bench, the agent detects the hardware and reads the model file's header when "
          + "the path llama-bench wrote leads to it from here (only the file name is published, never the path). "
          + "For a table someone else published, name the GPU and count with --gpu and --gpu-count; the CPU is then "
          + "llama-bench's cpu_info, memory and OS unknown."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:imported and delivered (or --dry-run, or you declined)",
      "2:bad option",
      "5:not delivered: reports are spooled",
      "6:the broker refused the credentials",
      "7:refused by broker or registry",
      "11:a file is unreadable or not llama-bench output (the message names the row and field)"
    })
final class ImportCommand implements Callable<Integer> {
  /** Results files are a few KB; this bounds what a hostile file can make the agent read. */
  static final long MAX_FILE_BYTES = 64L * 1024 * 1024;

  @ParentCommand TokbenchAgent agent;
  @Spec picocli.CommandLine.Model.CommandSpec spec;
  @Mixin ConnectionOptions connection;

  @Parameters(paramLabel = "FILE", arity = "1..*", description = "llama-bench results files.")
  List<Path> files = new ArrayList<>();

  @Option(names = "--format", paramLabel = "FORMAT", description = "json, jsonl, csv or md (default: from the file's extension, else from its first character).")
  String format;

  @Option(names = "--gpu", paramLabel = "NAME", description = "The GPU that ran the table, as its vendor names it, e.g. \"NVIDIA GeForce RTX 4090\"; "
      + "for a table from another machine. Default: detect this machine's.")
  String gpu;

  @Option(names = "--gpu-count", paramLabel = "N", description = "How many of --gpu the run used (default: 1).")
  Integer gpuCount;

  @Option(names = "--model", paramLabel = "NAME", description = "The model's name, for markdown tables (which show only the model's type) or to rename it.")
  String model;

  @picocli.CommandLine.Mixin
  PublishOptions publishing = new PublishOptions();

  @Override
  public Integer call() throws IOException {
    PrintWriter err = spec.commandLine().getErr();
    validate();
    AgentConfig config = connection.resolve(agent.environment);
    List<BenchmarkReport> reports = new ArrayList<>();
    for (Path file : files) {
      try {
        reports.addAll(read(file, err));
      } catch (ImportFormatException e) {
        err.println("tokbench-agent: " + file.getFileName() + ": " + e.getMessage());
        return ExitCodes.BAD_INPUT_FILE;
      } catch (IOException e) {
        err.println("tokbench-agent: cannot read " + file.getFileName() + ": " + (e.getMessage() == null ? "unreadable" : e.getMessage()));
        return ExitCodes.BAD_INPUT_FILE;
      }
    }
    if (reports.isEmpty()) {
      err.println("tokbench-agent: no generation results (tgN rows) to import");
      return ExitCodes.BAD_INPUT_FILE;
    }
    return publishing.publication(agent.stdin).publish(reports, config, spec.commandLine().getOut(), err);
  }

  private List<BenchmarkReport> read(Path file, PrintWriter err) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IOException("no such file");
    }
    if (Files.size(file) > MAX_FILE_BYTES) {
      throw new ImportFormatException("larger than " + MAX_FILE_BYTES / (1024 * 1024) + " MiB: not a llama-bench results file");
    }
    String text = Files.readString(file, StandardCharsets.UTF_8);
    LlamaBenchFormat fileFormat = format != null ? LlamaBenchFormat.ofName(format).orElseThrow()
        : LlamaBenchFormat.ofFileName(file.getFileName().toString()).orElseGet(() -> LlamaBenchFormat.sniff(text));
    List<LlamaBenchRow> rows = LlamaBenchParser.parse(text, fileFormat);
    boolean detected = gpu == null;
    Rig rig = detected ? new RigDetector(agent.host).detect() : namedRig(rows);
    if (!detected && rig.gpus().stream().noneMatch(DetectedGpu::known)) {
      err.println("note: '" + gpu + "' is not in the GPU catalog: the reports keep the name and are flagged as an unknown GPU");
    }
    UUID rigId = detected ? RigIdentity.load(agent.environment.configDir()) : NamedRig.id(rig);
    LlamaBenchReports.Context context = new LlamaBenchReports.Context(rigId, TokbenchAgent.VERSION, rig, detected, fileFormat,
        Optional.ofNullable(model), detected ? localModelHeaders(rows, err) : Map.of(), Instant.now());
    LlamaBenchReports.Result result = LlamaBenchReports.build(rows, context);
    result.skipped().forEach(s -> err.println("skipped " + s));
    err.printf("%s: %d row(s), %d report(s)%n", file.getFileName(), rows.size(), result.reports().size());
    return result.reports();
  }

  /** The GPU the importer named, in a rig of what the table says (see {@link NamedRig}). */
  private Rig namedRig(List<LlamaBenchRow> rows) {
    int count = gpuCount == null ? 1 : gpuCount;
    return NamedRig.of(DetectedGpu.of(Rig.vendorOf(gpu), gpu.strip(), OptionalLong.empty(), Optional.empty(), count, OptionalInt.empty()), rows);
  }

  /** Headers of the model files llama-bench named, where those paths lead to a GGUF file from here. */
  private static Map<String, GgufFacts> localModelHeaders(List<LlamaBenchRow> rows, PrintWriter err) {
    Map<String, GgufFacts> headers = new HashMap<>();
    for (LlamaBenchRow row : rows) {
      Optional<String> name = row.field("model_filename");
      if (name.isEmpty() || headers.containsKey(name.get())) {
        continue;
      }
      try {
        Path path = Path.of(name.get());
        if (Files.isRegularFile(path) && Files.isReadable(path)) {
          headers.put(name.get(), GgufReader.read(path));
        }
      } catch (IOException | GgufFormatException | java.nio.file.InvalidPathException e) {
        err.println("note: the header of " + Path.of(name.get()).getFileName() + " could not be read (" + e.getMessage() + "); its reports carry no architecture");
      }
    }
    return headers;
  }

  private void validate() {
    if (format != null && LlamaBenchFormat.ofName(format).isEmpty()) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--format " + format + ": use json, jsonl, csv or md");
    }
    if (gpuCount != null && gpu == null) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--gpu-count needs --gpu (on this machine the GPUs are detected)");
    }
    if (gpuCount != null && (gpuCount < 1 || gpuCount > 64)) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--gpu-count " + gpuCount + ": use 1 to 64");
    }
    if (gpu != null && !gpu.strip().matches("[A-Za-z0-9 ._()+-]{2,128}")) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--gpu: use the GPU's name, e.g. \"NVIDIA GeForce RTX 4090\"");
    }
    if (model != null && !model.strip().matches("[A-Za-z0-9 ._:/+@()-]{1,200}")) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--model: use letters, digits and . _ - : / + @ ( ), at most 200");
    }
  }
}
