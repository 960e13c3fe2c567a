package io.tokbench.deploy.demo;

import io.tokbench.agent.cli.TokbenchAgent;
import io.tokbench.agent.detect.DetectedGpu;
import io.tokbench.agent.detect.Rig;
import io.tokbench.agent.gguf.GgufFacts;
import io.tokbench.agent.importer.LlamaBenchFormat;
import io.tokbench.agent.importer.LlamaBenchReports;
import io.tokbench.agent.importer.LlamaBenchRow;
import io.tokbench.agent.importer.NamedRig;
import io.tokbench.aggregator.estimate.published.PublishedResults.Measurement;
import io.tokbench.aggregator.estimate.published.PublishedResults.Model;
import io.tokbench.catalog.GpuCatalog;
import io.tokbench.catalog.GpuSpec;
import io.tokbench.normalize.Normalization;
import io.tokbench.schema.BenchmarkReport;
import io.tokbench.schema.GpuVendor;
import io.tokbench.schema.ImportFormat;
import io.tokbench.schema.ImportTool;
import io.tokbench.schema.ImportedFrom;
import io.tokbench.schema.Runtime;
import io.tokbench.schema.Settings;
import io.tokbench.schema.StatsKey;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * The published benchmark results (stream-aggregator's {@code PublishedResults}) as the reports the
 * pipeline would have received had each been imported with {@code tokbench-agent import --gpu NAME
 * --gpu-count N}: the agent's own llama-bench importer builds each report from the measurement's
 * tests (ppP and tgG rows in llama-bench's field names), on a rig of the catalog GPU the source
 * names, with the model's metadata as its GGUF header would give it.
 *
 * <p>What the importer cannot know from a table is set from the source: the suite is the test the
 * source ran ({@code llama-bench-pp512-tg128} also where a contributor's pp figure is missing), the
 * context holds the suite's tokens, and a measurement Ollama made (its eval rate) is an Ollama
 * report imported from another tool. The offload stays unknown, as the tables do not say it.
 *
 * <p>One rig per source and GPU set; a source that published the same setup more than once (the
 * scoreboards' contributors) has one rig per publication, so every row holds the rigs it holds in
 * {@code evaluate --published}.
 */
public final class PublishedReports {
  private static final String OLLAMA = "ollama";

  private PublishedReports() {}

  /** One report per measurement, in their order, each keyed by the pipeline as {@code evaluate --published} keys it. */
  public static List<BenchmarkReport> of(List<Measurement> measurements, GpuCatalog gpus, Instant importedAt) {
    Map<String, Integer> publications = new HashMap<>();
    List<BenchmarkReport> reports = new ArrayList<>(measurements.size());
    for (Measurement m : measurements) {
      int publication = publications.merge(m.source() + "\u001d" + m.key(), 1, Integer::sum);
      BenchmarkReport report = report(m, publication, gpus, importedAt);
      StatsKey keyed = Normalization.key(report);
      if (!keyed.equals(m.key())) {
        throw new IllegalStateException("the pipeline would key " + m.source() + "'s measurement as " + keyed + ", not " + m.key());
      }
      reports.add(report);
    }
    return reports;
  }

  private static BenchmarkReport report(Measurement m, int publication, GpuCatalog gpus, Instant importedAt) {
    StatsKey key = m.key();
    GpuSpec spec = gpus.byId(key.getGpu()).orElseThrow(() -> new IllegalArgumentException("the GPU catalog lacks " + key.getGpu()));
    String file = m.model().id() + "-" + key.getQuantization() + ".gguf";
    List<LlamaBenchRow> rows = rows(m, file);
    Rig rig = NamedRig.of(gpu(spec, key.getGpuCount()), rows);
    UUID rigId = UUID.nameUUIDFromBytes(("published:" + m.source() + "|" + key.getGpu() + "|" + key.getGpuCount() + "|" + publication)
        .getBytes(StandardCharsets.UTF_8));
    LlamaBenchReports.Context context = new LlamaBenchReports.Context(rigId, TokbenchAgent.VERSION, rig, false, LlamaBenchFormat.CSV,
        Optional.of(m.model().id()), Map.of(file, header(m.model(), key.getQuantization())), importedAt);
    BenchmarkReport imported = single(LlamaBenchReports.build(rows, context).reports());
    BenchmarkReport.Builder report = BenchmarkReport.newBuilder(imported)
        .setSuiteId(key.getSuiteId())
        .setSettings(Settings.newBuilder(imported.getSettings()).setContextLength(m.promptTokens() + m.generatedTokens() + m.depth()).build());
    if (key.getRuntime().equals(OLLAMA)) {
      report.setRuntime(Runtime.newBuilder(imported.getRuntime()).setName(OLLAMA).setVersion(null).build())
          .setImportedFrom(ImportedFrom.newBuilder(imported.getImportedFrom()).setTool(ImportTool.OTHER).setFormat(ImportFormat.OTHER).build());
    }
    return report.build();
  }

  /** The tg row, and the pp row of the same run where the source published its rate, in llama-bench's CSV field names. */
  private static List<LlamaBenchRow> rows(Measurement m, String file) {
    Map<String, String> configuration = new LinkedHashMap<>();
    configuration.put("model_filename", file);
    configuration.put("model_size", Long.toString(m.fileBytes()));
    configuration.put("model_n_params", Long.toString(Math.round(m.model().parametersBillions() * 1e9)));
    configuration.put("backends", m.backend());
    List<LlamaBenchRow> rows = new ArrayList<>();
    rows.add(row(1, new LlamaBenchRow.Test(0, m.generatedTokens(), m.depth()), configuration, m.generation()));
    if (m.prompt() != null) {
      rows.add(row(2, new LlamaBenchRow.Test(m.promptTokens(), 0, m.depth()), configuration, m.prompt()));
    }
    return rows;
  }

  private static LlamaBenchRow row(int number, LlamaBenchRow.Test test, Map<String, String> configuration, double tokensPerSecond) {
    return new LlamaBenchRow(number, test, configuration, Optional.empty(), tokensPerSecond, OptionalDouble.empty(), OptionalLong.empty(),
        List.of(), List.of());
  }

  /** The catalog GPU under its vendor's name, as nvidia-smi or the Apple tools print it. */
  private static DetectedGpu gpu(GpuSpec spec, int count) {
    String name = spec.aliases().isEmpty() ? spec.vendor() + " " + spec.name() : spec.aliases().get(0);
    GpuVendor vendor = Rig.vendorOf(spec.vendor());
    return new DetectedGpu(vendor, name, Optional.of(spec), spec.vramBytes() > 0 ? OptionalLong.of(spec.vramBytes()) : OptionalLong.empty(),
        Optional.empty(), count, spec.gpuCores());
  }

  /** What the model's GGUF header says (models.csv holds it for every published model). */
  private static GgufFacts header(Model model, String quantization) {
    return new GgufFacts(Optional.empty(), OptionalLong.of(Math.round(model.parametersBillions() * 1e9)), Optional.of(quantization),
        OptionalInt.of(model.blocks()), OptionalInt.empty(), OptionalInt.empty(), OptionalInt.of(model.heads()), OptionalInt.of(model.kvHeads()),
        OptionalInt.of(model.keyLength()), optional(model.experts()), optional(model.expertsUsed()));
  }

  private static OptionalInt optional(Integer value) {
    return value == null ? OptionalInt.empty() : OptionalInt.of(value);
  }

  private static BenchmarkReport single(List<BenchmarkReport> reports) {
    if (reports.size() != 1) {
      throw new IllegalStateException("a measurement made " + reports.size() + " reports");
    }
    return reports.get(0);
  }
}
