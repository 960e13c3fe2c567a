package io.tokbench.deploy.docs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tokbench.deploy.demo.DemoFeed;
import io.tokbench.deploy.local.LocalStack;
import io.tokbench.testkit.FreePorts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's API examples are real answers from the demo data. Each example in README.md is
 * marked {@code <!-- api-example: GET <path> [status] -->} and followed by a fenced block; this test
 * runs the local stack with the demo fleet, asks every marked request once the tables have settled,
 * and fails where the README's block differs from the answer. Times (report and calibration
 * instants) depend on when the demo ran and are compared by shape only.
 *
 * <p>After a change that alters answers, rewrite the blocks from live answers with
 * {@code mvn -pl deploy -am test -Dtest=ReadmeApiExamplesTest -Dsurefire.failIfNoSpecifiedTests=false -Dtokbench.readme.update=true}.
 */
class ReadmeApiExamplesTest {
  static final Path README = Path.of("..").toAbsolutePath().normalize().resolve("README.md");
  private static final Pattern EXAMPLE = Pattern.compile("<!-- api-example: GET (\\S+)(?: (\\d{3}))? -->\\n```(\\w*)\\n(.*?)```", Pattern.DOTALL);
  private static final Pattern INSTANT = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  @TempDir Path dataDir;

  /** One marked example: the request, the status it must have, and the block as the README has it. */
  record Example(String path, int status, String language, String block, int start, int end) {}

  static List<Example> examples(String readme) {
    List<Example> examples = new ArrayList<>();
    Matcher m = EXAMPLE.matcher(readme);
    while (m.find()) {
      String block = m.group(4).endsWith("\n") ? m.group(4).substring(0, m.group(4).length() - 1) : m.group(4);
      examples.add(new Example(m.group(1), m.group(2) == null ? 200 : Integer.parseInt(m.group(2)), m.group(3), block, m.start(4), m.end(4)));
    }
    return examples;
  }

  @Test
  void theReadmesApiExamplesAreWhatTheDemoStackAnswers() throws Exception {
    String readme = Files.readString(README);
    List<Example> examples = examples(readme);
    assertThat(examples).as("marked API examples in the README").hasSizeGreaterThanOrEqualTo(8);

    try (LocalStack stack = LocalStack.start(new LocalStack.Config(dataDir, "localhost", FreePorts.next(), FreePorts.next(), FreePorts.next(), FreePorts.next()));
        DemoFeed feed = DemoFeed.start(stack.bootstrapServers(), stack.registryUrl(), dataDir, Duration.ofHours(1), Clock.systemUTC())) {
      // Settled: every report processed and the calibration refitted after the last of them.
      settled(stack.apiUrl() + "/api/v1/models");
      settled(stack.apiUrl() + "/api/v1/calibration");

      List<String> differences = new ArrayList<>();
      StringBuilder updated = new StringBuilder(readme);
      for (int i = examples.size() - 1; i >= 0; i--) {
        Example example = examples.get(i);
        HttpResponse<String> answer = get(stack.apiUrl() + example.path());
        if (answer.statusCode() != example.status()) {
          differences.add("GET " + example.path() + " answered " + answer.statusCode() + ", not " + example.status() + ": " + answer.body());
          continue;
        }
        String rendered = example.language().equals("json") ? render(JSON.readTree(answer.body())) : answer.body().stripTrailing();
        if (!masked(rendered).equals(masked(example.block()))) {
          differences.add("GET " + example.path() + "\n--- README:\n" + example.block() + "\n--- the demo stack answers:\n" + rendered);
          updated.replace(example.start(), example.end(), rendered + "\n");
        }
      }
      if (Boolean.getBoolean("tokbench.readme.update") && !differences.isEmpty()) {
        differences.forEach(System.out::println);
        Files.writeString(README, updated.toString());
        return;
      }
      assertThat(differences).as("README examples that are not what the demo stack answers (rewrite them with -Dtokbench.readme.update=true)").isEmpty();
    }
  }

  /** Times depend on when the demo ran. */
  static String masked(String text) {
    return INSTANT.matcher(text).replaceAll("<instant>");
  }

  /**
   * JSON as the README shows it: one field per line, each element of an array of objects on its
   * own line, everything else compact.
   */
  static String render(JsonNode node) throws Exception {
    if (node.isArray()) {
      return items(node, "");
    }
    List<String> fields = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      JsonNode value = field.getValue();
      String shown = value.isArray() && value.size() > 0 && value.get(0).isObject() ? items(value, "  ") : JSON.writeValueAsString(value);
      fields.add("  " + JSON.writeValueAsString(field.getKey()) + ": " + shown);
    }
    return "{\n" + String.join(",\n", fields) + "\n}";
  }

  private static String items(JsonNode array, String indent) throws Exception {
    List<String> items = new ArrayList<>();
    for (JsonNode item : array) {
      items.add(indent + "  " + JSON.writeValueAsString(item));
    }
    return "[\n" + String.join(",\n", items) + "\n" + indent + "]";
  }

  /** Waits until three answers 5 s apart are the same (times aside). */
  private static void settled(String url) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
    String previous = null;
    int same = 0;
    while (System.nanoTime() < deadline) {
      HttpResponse<String> answer = get(url);
      String now = answer.statusCode() == 200 ? masked(answer.body()) : null;
      same = now != null && now.equals(previous) && !now.contains("\"models\":[]") ? same + 1 : 0;
      if (same == 2) {
        return;
      }
      previous = now;
      Thread.sleep(5000);
    }
    throw new AssertionError("the demo data did not settle at " + url);
  }

  private static HttpResponse<String> get(String url) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
