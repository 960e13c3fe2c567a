package io.tokbench.catalog;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The shared model catalog ({@code tokbench/model-catalog.csv}): the names runtimes give one set of
 * weights (an Ollama tag, a GGUF file name, a Hugging Face repo, an Ollama digest) mapped to one
 * canonical model, so reports of the same model from different runtimes share a row.
 */
public final class ModelCatalog {
  public static final String RESOURCE = "/tokbench/model-catalog.csv";

  /** One model: its id, parameters, and the share of them read per generated token. */
  public record Entry(String id, String name, String family, double parametersBillions, double activeParametersBillions) {
    /** Active / total parameters: 1 for dense models, well below for mixtures of experts. */
    public double activeShare() {
      return parametersBillions <= 0 ? 1.0 : Math.min(1.0, activeParametersBillions / parametersBillions);
    }
  }

  private record Pattern(String needle, Entry entry) {}

  private final Map<String, Entry> byTag = new HashMap<>();
  private final Map<String, Entry> byRepo = new HashMap<>();
  private final Map<String, Entry> byDigest = new HashMap<>();
  private final List<Pattern> ggufPatterns = new ArrayList<>();
  private final Map<String, Entry> byId = new HashMap<>();

  private static final ModelCatalog SHARED = load();

  public static ModelCatalog shared() {
    return SHARED;
  }

  /** The share of the weights read per token (below 1 for mixtures of experts); 1 for a model the catalog lacks. */
  public double activeShare(String id) {
    return byId(id).map(Entry::activeShare).orElse(1.0);
  }

  public Optional<Entry> byId(String id) {
    return Optional.ofNullable(byId.get(id));
  }

  /**
   * The canonical model behind a runtime's name and digest. The digest wins where known: an
   * Ollama tag can be re-pointed to new weights, a digest cannot.
   */
  public Optional<Entry> match(String runtimeName, String digest) {
    if (digest != null && !digest.isBlank()) {
      String hex = digest.toLowerCase(Locale.ROOT).replace("sha256:", "");
      for (Map.Entry<String, Entry> known : byDigest.entrySet()) {
        if (hex.startsWith(known.getKey())) {
          return Optional.of(known.getValue());
        }
      }
    }
    if (runtimeName == null || runtimeName.isBlank()) {
      return Optional.empty();
    }
    String name = runtimeName.trim().toLowerCase(Locale.ROOT);
    // The full tag first: Ollama re-points short tags ("qwen3:4b") to newer weights, while a tag
    // with its quantization ("qwen3:4b-q4_K_M") may still name the original.
    Entry tag = byTag.containsKey(name) ? byTag.get(name) : byTag.get(stripQuantTag(name));
    if (tag != null) {
      return Optional.of(tag);
    }
    Entry repo = byRepo.get(name);
    if (repo != null) {
      return Optional.of(repo);
    }
    String file = name.substring(name.lastIndexOf('/') + 1);
    Pattern best = null;
    for (Pattern pattern : ggufPatterns) {
      if (file.contains(pattern.needle()) && (best == null || pattern.needle().length() > best.needle().length())) {
        best = pattern;
      }
    }
    return best == null ? Optional.empty() : Optional.of(best.entry());
  }

  /** "llama3.1:8b-instruct-q4_K_M" → "llama3.1:8b-instruct"; "qwen2.5:7b" stays. */
  static String stripQuantTag(String tag) {
    return QUANT_TAG_SUFFIX.matcher(tag).replaceFirst("");
  }

  private static final java.util.regex.Pattern QUANT_TAG_SUFFIX =
      java.util.regex.Pattern.compile("-(q\\d[_a-z0-9]*|iq\\d[_a-z0-9]*|fp16|bf16|f16|fp32|mxfp4)$");

  private static ModelCatalog load() {
    return CsvLine.resource(ModelCatalog.class, RESOURCE, "model catalog", ModelCatalog::parse);
  }

  public static ModelCatalog parse(InputStream in) throws IOException {
    ModelCatalog catalog = new ModelCatalog();
    for (CsvLine.Row line : CsvLine.rows(in)) {
      Map<String, String> row = line.cells();
      double total = parseDouble(row.get("parameters_b"));
      double active = row.getOrDefault("active_parameters_b", "").isEmpty() ? total : parseDouble(row.get("active_parameters_b"));
      Entry entry = new Entry(row.get("id"), row.get("name"), row.get("family"), total, active);
      catalog.byId.put(entry.id(), entry);
      for (String tag : CsvLine.values(row.get("ollama_tags"))) {
        catalog.byTag.put(tag.toLowerCase(Locale.ROOT), entry);
      }
      for (String repo : CsvLine.values(row.get("hf_repos"))) {
        catalog.byRepo.put(repo.toLowerCase(Locale.ROOT), entry);
      }
      for (String digest : CsvLine.values(row.get("digests"))) {
        catalog.byDigest.put(digest.toLowerCase(Locale.ROOT).replace("sha256:", ""), entry);
      }
      for (String pattern : CsvLine.values(row.get("gguf_patterns"))) {
        catalog.ggufPatterns.add(new Pattern(pattern.toLowerCase(Locale.ROOT), entry));
      }
    }
    return catalog;
  }

  private static double parseDouble(String text) {
    return text == null || text.isEmpty() ? 0 : Double.parseDouble(text);
  }

}
