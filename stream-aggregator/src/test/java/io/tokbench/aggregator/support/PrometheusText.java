package io.tokbench.aggregator.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Parses Prometheus text exposition with the Prometheus project's own parser: the official Python
 * client's {@code prometheus_client.parser} (Debian's python3-prometheus-client). No Java library
 * parses the format, and a parser written here would share the writer's assumptions.
 */
public final class PrometheusText {
  private static final String PARSE = String.join("\n",
      "import json, sys",
      "from prometheus_client.parser import text_string_to_metric_families",
      "families = [{'name': f.name, 'type': f.type, 'help': f.documentation, 'samples': [s.name for s in f.samples]}",
      "            for f in text_string_to_metric_families(sys.stdin.read())]",
      "print(json.dumps(families))");

  /** Debian's interpreter, where Debian's package installs the parser (a python3 earlier on PATH may be another). */
  private static final String PYTHON = java.nio.file.Files.isExecutable(java.nio.file.Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";

  private PrometheusText() {}

  /** One metric family: its TYPE, its HELP, and the names of its samples. */
  public record Family(String name, String type, String help, int samples) {}

  /** Whether the parser is installed; the tests using it say they are skipped otherwise. */
  public static boolean available() {
    try {
      Process p = new ProcessBuilder(PYTHON, "-c", "import prometheus_client.parser").redirectErrorStream(true).start();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Families by name; the parser fails (and so does this) on text that is not valid exposition format. */
  public static Map<String, Family> parse(String exposition) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(PYTHON, "-c", PARSE).start();
    p.getOutputStream().write(exposition.getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("the Prometheus parser refused the text: " + err);
    }
    Map<String, Family> families = new LinkedHashMap<>();
    for (JsonNode f : new ObjectMapper().readTree(out)) {
      families.put(f.path("name").asText(), new Family(f.path("name").asText(), f.path("type").asText(), f.path("help").asText(), f.path("samples").size()));
    }
    return families;
  }
}
