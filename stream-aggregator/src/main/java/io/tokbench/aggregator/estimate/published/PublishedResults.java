package io.tokbench.aggregator.estimate.published;

import io.tokbench.catalog.CsvLine;
import io.tokbench.catalog.GpuCatalog;
import io.tokbench.catalog.GpuSpec;
import io.tokbench.catalog.ModelCatalog;
import io.tokbench.normalize.Normalization;
import io.tokbench.normalize.OrderStatistics;
import io.tokbench.schema.ModelFacts;
import io.tokbench.schema.OffloadClass;
import io.tokbench.schema.Percentiles;
import io.tokbench.schema.StatsKey;
import io.tokbench.schema.StatsRow;
import io.tokbench.schema.TypicalSetup;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Published benchmark results (llama.cpp scoreboards, benchmark repositories, Ollama users) turned
 * into statistics rows as the pipeline would have produced them: each published measurement is one
 * rig; the rigs of one source and one setup make one row with their median. llama.cpp and Ollama
 * runs do not say their offload, so the rows have offload UNKNOWN and count as full GPU only where
 * {@link io.tokbench.aggregator.estimate.OffloadEvidence} allows. A directory holds the three sets
 * copied from shared/data/published-benchmarks in their own formats, more-results.csv in
 * llama-bench's CSV field names, models.csv (what each model's metadata says), gpu-names.csv (the
 * copied sets' GPU names) and sources.csv.
 */
public final class PublishedResults {
  /** A statistics row and the source it was published in. */
  public record PublishedRow(String source, StatsRow row) {}

  private static final String APPLE_SCOREBOARD = "llamacpp-4167-apple-silicon-llama2-7b.csv";
  private static final String CUDA_SCOREBOARD = "llamacpp-15013-cuda-llama2-7b-q4_0.csv";
  private static final String XIONGJIEDAI = "xiongjiedai-gpu-benchmarks-llama3.csv";
  private static final String MORE = "more-results.csv";
  private static final double GIB = 1024.0 * 1024 * 1024;
  private static final Pattern APPLE_NAME = Pattern.compile("(M\\d(?: Pro| Max| Ultra)?) (\\d+)-Core GPU.*");

  /**
   * One published measurement of one rig: generation and (where published) prompt processing, and
   * the test that measured them, as llama-bench (or Ollama) ran it.
   *
   * @param key the statistics key the pipeline gives the measurement, the backend the source names
   *     among it (upper case: CUDA, METAL, ROCM, VULKAN)
   * @param promptTokens tokens of the prompt test the source ran (0: none; its rate may still be unpublished)
   * @param generatedTokens tokens of the generation test
   * @param depth tokens already in the context before the tests ran
   */
  public record Measurement(String source, StatsKey key, Model model, long fileBytes, int promptTokens, int generatedTokens, int depth,
                            double generation, Double prompt) {
    public String backend() {
      return key.getBackend();
    }
  }

  /**
   * A model as its metadata describes it (models.csv): what a GGUF header or Ollama's model_info
   * would have told the agent.
   */
  public record Model(String id, List<String> publishedNames, double parametersBillions, int blocks, int heads, int kvHeads, int keyLength,
                      Integer experts, Integer expertsUsed) {
    ModelFacts facts(long fileBytes) {
      return ModelFacts.newBuilder()
          .setFileSizeBytes(fileBytes)
          .setParameterCount(Math.round(parametersBillions * 1e9))
          .setKvCacheBytesPerToken((long) blocks * kvHeads * keyLength * 2 * 2)
          .setAttentionWidth((long) blocks * heads * keyLength)
          .setBlockCount(blocks)
          .setExpertCount(experts)
          .setExpertUsedCount(expertsUsed)
          .build();
    }
  }

  private final Path directory;
  private final GpuCatalog gpus;
  private final ModelCatalog catalog;
  private final Map<String, Model> models = new LinkedHashMap<>();
  private final Map<String, Optional<String>> gpuNames = new LinkedHashMap<>();

  private PublishedResults(Path directory, GpuCatalog gpus, ModelCatalog catalog) throws IOException {
    this.directory = directory;
    this.gpus = gpus;
    this.catalog = catalog;
    for (CsvLine.Row row : rows("models.csv")) {
      Map<String, String> c = row.cells();
      Model model = new Model(c.get("model_id"), CsvLine.values(c.get("published_names")), Double.parseDouble(c.get("parameters_b")),
          Integer.parseInt(c.get("block_count")), Integer.parseInt(c.get("head_count")), Integer.parseInt(c.get("head_count_kv")),
          Integer.parseInt(c.get("key_length")), optionalInt(c.get("expert_count")), optionalInt(c.get("expert_used_count")));
      models.put(model.id(), model);
      model.publishedNames().forEach(name -> models.put(name, model));
    }
    for (CsvLine.Row row : rows("gpu-names.csv")) {
      String id = row.cells().get("gpu_id");
      gpuNames.put(row.cells().get("source") + "|" + row.cells().get("name"), id.isEmpty() ? Optional.empty() : Optional.of(id));
    }
  }

  /** Every published result in the directory, as statistics rows. */
  public static List<PublishedRow> load(Path directory, GpuCatalog gpus, ModelCatalog catalog) throws IOException {
    return new PublishedResults(directory, gpus, catalog).load();
  }

  /**
   * The same measurements as the pipeline aggregates them once loaded into it: one row per
   * statistics key, whatever the source. The key holds the backend but not the source, so where two
   * sources published one setup on one backend their rigs share a row.
   */
  public static List<StatsRow> pipelineRows(Path directory, GpuCatalog gpus, ModelCatalog catalog) throws IOException {
    PublishedResults results = new PublishedResults(directory, gpus, catalog);
    Map<StatsKey, List<Measurement>> byKey = results.measurements().stream()
        .collect(Collectors.groupingBy(Measurement::key, LinkedHashMap::new, Collectors.toList()));
    return byKey.values().stream().map(rigs -> results.row(rigs).row()).toList();
  }

  /** Every published measurement in the directory, one per rig and test, in the order of the files. */
  public static List<Measurement> measurements(Path directory, GpuCatalog gpus, ModelCatalog catalog) throws IOException {
    return new PublishedResults(directory, gpus, catalog).measurements();
  }

  private List<PublishedRow> load() throws IOException {
    Map<String, List<Measurement>> bySetup = measurements().stream()
        .collect(Collectors.groupingBy(r -> r.source() + "\u001d" + r.key(), LinkedHashMap::new, Collectors.toList()));
    return bySetup.values().stream().map(this::row).toList();
  }

  private List<Measurement> measurements() throws IOException {
    List<Measurement> rigs = new ArrayList<>();
    rigs.addAll(cudaScoreboard());
    rigs.addAll(appleScoreboard());
    rigs.addAll(xiongjiedai());
    rigs.addAll(more());
    return rigs;
  }

  private List<Measurement> cudaScoreboard() throws IOException {
    List<Measurement> rigs = new ArrayList<>();
    for (CsvLine.Row row : rows(CUDA_SCOREBOARD)) {
      Map<String, String> c = row.cells();
      mappedGpu("llamacpp-15013", c.get("gpu")).ifPresent(gpu -> number(c.get("tg128_tok_s")).ifPresent(tg ->
          rigs.add(rig("llamacpp-15013", gpu, 1, c.get("backend"), "llama.cpp", model(c.get("model")), c.get("quant"), gib(c.get("model_size_GiB")),
              512, 128, 0, tg, number(c.get("pp512_tok_s")).orElse(null)))));
    }
    return rigs;
  }

  private List<Measurement> appleScoreboard() throws IOException {
    List<Measurement> rigs = new ArrayList<>();
    for (CsvLine.Row row : rows(APPLE_SCOREBOARD)) {
      Map<String, String> c = row.cells();
      Optional<GpuSpec> gpu = gpus.match("Apple " + c.get("chip"), OptionalInt.of(Integer.parseInt(c.get("gpu_cores"))));
      for (String quant : List.of("f16", "q8_0", "q4_0")) {
        Optional<Double> tg = number(c.get(quant + "_tg128_tok_s"));
        if (gpu.isPresent() && tg.isPresent()) {
          rigs.add(rig("llamacpp-4167", gpu.get().id(), 1, c.get("backend"), "llama.cpp", model(c.get("model")), quant, gib(c.get(quant + "_size_GiB")),
              512, 128, 0, tg.get(), number(c.get(quant + "_pp512_tok_s")).orElse(null)));
        }
      }
    }
    return rigs;
  }

  /** tgN and ppN at N = 512 … 8192: llama-bench runs of N tokens, one suite per length. */
  private List<Measurement> xiongjiedai() throws IOException {
    List<Measurement> rigs = new ArrayList<>();
    for (CsvLine.Row row : rows(XIONGJIEDAI)) {
      Map<String, String> c = row.cells();
      String name = c.get("hardware").replaceFirst(" \\* \\d+$", "");
      Matcher apple = APPLE_NAME.matcher(name);
      Optional<String> gpu = apple.matches()
          ? gpus.match("Apple " + apple.group(1), OptionalInt.of(Integer.parseInt(apple.group(2)))).map(GpuSpec::id)
          : mappedGpu("xiongjiedai", name);
      for (int n : List.of(512, 1024, 4096, 8192)) {
        Optional<Double> tg = number(c.get("tg" + n + "_tok_s"));
        if (gpu.isPresent() && tg.isPresent()) {
          rigs.add(rig("xiongjiedai", gpu.get(), Integer.parseInt(c.get("num_gpus")), c.get("backend"), "llama.cpp", model(c.get("model")), c.get("quant"),
              gib(c.get("model_size_GiB")), n, n, 0, tg.get(), number(c.get("pp" + n + "_tok_s")).orElse(null)));
        }
      }
    }
    return rigs;
  }

  /** llama-bench-shaped rows, a test per row: a tg row and the pp row of the same setup make one rig. */
  private List<Measurement> more() throws IOException {
    Map<String, List<Map<String, String>>> tests = new LinkedHashMap<>();
    for (CsvLine.Row row : rows(MORE)) {
      Map<String, String> c = row.cells();
      if (c.get("gpu_id").isEmpty()) {
        continue;
      }
      String setup = String.join("|", c.get("source"), c.get("gpu_info"), c.get("gpu_id"), c.get("gpu_count"), c.get("backends"), c.get("runtime"),
          c.get("model_id"), c.get("quant"), c.get("model_size"), c.get("n_depth"), c.get("build_commit"));
      tests.computeIfAbsent(setup, s -> new ArrayList<>()).add(c);
    }
    List<Measurement> rigs = new ArrayList<>();
    for (List<Map<String, String>> setup : tests.values()) {
      Optional<Map<String, String>> generation = setup.stream().filter(c -> Integer.parseInt(c.get("n_gen")) > 0).findFirst();
      Optional<Map<String, String>> prompt = setup.stream().filter(c -> Integer.parseInt(c.get("n_gen")) == 0).findFirst();
      if (generation.isEmpty()) {
        continue;
      }
      Map<String, String> g = generation.get();
      int promptTokens = prompt.map(p -> Integer.parseInt(p.get("n_prompt"))).orElse(Integer.parseInt(g.get("n_prompt")));
      rigs.add(rig(g.get("source"), g.get("gpu_id"), Integer.parseInt(g.get("gpu_count")), g.get("backends"), g.get("runtime"), model(g.get("model_id")),
          g.get("quant"), Long.parseLong(g.get("model_size")), promptTokens, Integer.parseInt(g.get("n_gen")), Integer.parseInt(g.get("n_depth")),
          Double.parseDouble(g.get("avg_ts")), prompt.map(p -> Double.parseDouble(p.get("avg_ts"))).orElse(null)));
    }
    return rigs;
  }

  /**
   * The measurement keyed by the test its source ran: llama-bench's {@code ppP} and {@code tgG}
   * tests (at depth D) are {@code llama-bench-ppP-tgG-dD}, also where a contributor's prompt figure is
   * missing from the table (the scoreboards ran pp512 and tg128 every time); an Ollama run that
   * published only its eval rate is {@code ollama-eval-pp0-tgG}. The context holds every token of
   * the suite.
   */
  private Measurement rig(String source, String gpu, int gpuCount, String backend, String runtime, Model model, String quant, long fileBytes,
                          int promptTokens, int generatedTokens, int depth, double generation, Double prompt) {
    String modelId = catalog.byId(model.id()).isPresent() ? model.id() : "raw:" + model.id();
    String runtimeId = Normalization.runtime(runtime);
    String suite = (runtimeId.equals("ollama") ? "ollama-eval" : "llama-bench") + "-pp" + promptTokens + "-tg" + generatedTokens
        + (depth > 0 ? "-d" + depth : "");
    StatsKey key = new StatsKey(modelId, gpu, gpuCount, Normalization.quantization(quant), runtimeId,
        Normalization.contextBucket(promptTokens + generatedTokens + depth), suite, OffloadClass.UNKNOWN, 1, backend.toUpperCase(java.util.Locale.ROOT));
    return new Measurement(source, key, model, fileBytes, promptTokens, generatedTokens, depth,
        generation, prompt);
  }

  /** The rigs of one setup (one backend, as the key says) as one row: percentiles over rigs. */
  private PublishedRow row(List<Measurement> rigs) {
    Measurement first = rigs.get(0);
    Model model = first.model();
    String backend = first.backend();
    List<Double> prompts = rigs.stream().map(Measurement::prompt).filter(Objects::nonNull).toList();
    StatsRow row = StatsRow.newBuilder()
        .setKey(first.key())
        .setGenerationTokensPerSecond(percentiles(rigs.stream().map(Measurement::generation).toList()))
        .setPromptTokensPerSecond(prompts.isEmpty() ? null : percentiles(prompts))
        .setReportCount(rigs.size())
        .setRigCount(rigs.size())
        .setFirstReportAt(Instant.EPOCH)
        .setLastReportAt(Instant.EPOCH)
        .setTypicalSetup(new TypicalSetup(null, null, backend))
        // two sources may have published one setup with different files of it: the pipeline keeps the median over rigs
        .setModelFacts(model.facts(Math.round(percentiles(rigs.stream().map(r -> (double) r.fileBytes()).toList()).getMedian())))
        .build();
    return new PublishedRow(first.source(), row);
  }

  private static Percentiles percentiles(List<Double> values) {
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    Function<Double, Double> p = q -> OrderStatistics.percentile(sorted, q);
    return new Percentiles(p.apply(10.0), p.apply(25.0), p.apply(50.0), p.apply(75.0), p.apply(90.0));
  }

  private Model model(String name) {
    Model model = models.get(name);
    if (model == null) {
      throw new IllegalArgumentException("models.csv does not describe " + name);
    }
    return model;
  }

  private Optional<String> mappedGpu(String source, String name) {
    Optional<String> id = gpuNames.get(source + "|" + name);
    if (id == null) {
      throw new IllegalArgumentException("gpu-names.csv does not say what " + source + "'s '" + name + "' is");
    }
    return id;
  }

  private List<CsvLine.Row> rows(String file) throws IOException {
    try (InputStream in = Files.newInputStream(directory.resolve(file))) {
      return CsvLine.rows(in);
    }
  }

  private static long gib(String value) {
    return Math.round(Double.parseDouble(value) * GIB);
  }

  private static Optional<Double> number(String value) {
    return value == null || value.isEmpty() || value.equals("NA") ? Optional.empty() : Optional.of(Double.parseDouble(value));
  }

  private static Integer optionalInt(String value) {
    return value == null || value.isEmpty() ? null : Integer.valueOf(value);
  }
}
