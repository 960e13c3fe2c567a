package io.tokbench.aggregator.it;

import static io.tokbench.aggregator.support.RunningAggregators.await;
import static io.tokbench.aggregator.support.RunningAggregators.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.tokbench.aggregator.app.Aggregator;
import io.tokbench.aggregator.query.Freshness;
import io.tokbench.aggregator.support.RawHttp;
import io.tokbench.aggregator.support.RunningAggregators;
import io.tokbench.aggregator.support.TestReports;
import io.tokbench.schema.BenchmarkReport;
import io.tokbench.schema.Settings;
import io.tokbench.testkit.KafkaStack;
import io.tokbench.testkit.WithKafkaStack;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every hostile or malformed input of issue 15 against a running aggregator: each is a JSON 400
 * naming what is wrong (or the 404 an unknown id deserves), and no answer carries a Java class
 * name, a stack frame, exception text or the server's own HTML page.
 */
@WithKafkaStack
class ApiInputsIntegrationTest {
  private static final String MODEL = "deepseek-r1-distill-llama-8b";
  private static final String KEY = "model=" + MODEL + "&gpu=nvidia-rtx-4090&gpuCount=1&quant=Q4_K_M&runtime=ollama&ctx=8192&suite=tokbench-suite-1&offload=FULL_GPU&concurrency=1";
  /** A package-qualified class name, a stack frame, an exception's name, or an HTML page. */
  private static final Pattern INTERNALS = Pattern.compile("\\b(java|javax|jakarta|org|io|com|kotlin)\\.[a-z]+\\.|\\bat [a-z]+\\.|Exception|<html|<h1", Pattern.CASE_INSENSITIVE);

  private final KafkaStack stack;
  private final List<String> bodies = new ArrayList<>();
  @TempDir Path dir;

  ApiInputsIntegrationTest(KafkaStack stack) {
    this.stack = stack;
  }

  @Test
  void badInputsAre400sNamingTheParameterAndNoAnswerShowsInternals() throws Exception {
    try (Aggregator aggregator = Aggregator.start(RunningAggregators.config(stack, "it-inputs-" + UUID.randomUUID(), dir.resolve("state")))) {
      // Before Streams runs: an answer, not an exception's text.
      RunningAggregators.Answer early = get(aggregator.apiUrl() + "/api/v1/stats");
      remember(early);
      assertThat(early.status()).isIn(200, 503);
      assertThat(aggregator.awaitRunning(Duration.ofSeconds(60))).isTrue();

      UUID rig = UUID.randomUUID();
      Instant at = Instant.now().minusSeconds(30);
      BenchmarkReport at8k = TestReports.at(rig, 83.123456, at);
      BenchmarkReport at4k = BenchmarkReport.newBuilder(TestReports.at(rig, 90, at))
          .setSettings(Settings.newBuilder(at8k.getSettings()).setContextLength(4096).build()).build();
      RunningAggregators.publishAsTheAgentDoes(stack, dir.resolve("spool"), List.of(at8k, at4k, TestReports.at(UUID.randomUUID(), 100, at)));
      String api = aggregator.apiUrl();
      RunningAggregators.Answer models = await(api + "/api/v1/models", a -> a.status() == 200 && a.body().path("models").path(0).path("reports").asInt() == 3, Duration.ofSeconds(60));

      // Counts people read: one rig at two contexts is one rig.
      assertThat(models.body().path("models").get(0).path("rows").asInt()).isEqualTo(2);
      assertThat(models.body().path("models").get(0).path("rigs").asInt()).as("two rigs, one of them in two rows").isEqualTo(2);
      assertThat(models.body().path("models").get(0).path("name").asText()).isEqualTo("DeepSeek R1 Distill Llama 8B");
      // Rates rounded to what a measurement supports: (83.123456 + 100) / 2 = 91.561728 → 91.6.
      RunningAggregators.Answer row = get(api + "/api/v1/stats/row?" + KEY);
      assertThat(row.body().path("generationTokensPerSecond").path("median").asDouble()).isEqualTo(91.6);
      assertThat(row.response().headers().firstValue(Freshness.STALE_HEADER)).hasValue("false");

      // Paths are decoded once: '+' stays a plus.
      RunningAggregators.Answer plus = get(api + "/api/v1/community/a+b");
      assertThat(plus.status()).isEqualTo(404);
      assertThat(plus.body().path("error").asText()).contains("'a+b'");
      // Raw characters no URI class would send, and broken escapes.
      for (String target : List.of("/api/v1/community/a<b", "/api/v1/community/a\\b", "/api/v1/models/x%3Cscript%3E")) {
        RawHttp.Answer answer = RawHttp.get(aggregator.httpPort(), target);
        bodies.add(answer.body());
        assertThat(answer.status()).as(target).isEqualTo(400);
        assertThat(answer.headers()).as(target).containsIgnoringCase("content-type: application/json");
        assertThat(answer.body()).as(target).contains("\"parameter\":\"model\"");
      }
      for (String target : List.of("/api/v1/stats?model=%", "/api/v1/stats?model=%zz", "/api/v1/stats?model=a%3Cb")) {
        RawHttp.Answer answer = RawHttp.get(aggregator.httpPort(), target);
        bodies.add(answer.body());
        assertThat(answer.status()).as(target).isEqualTo(400);
        assertThat(answer.body()).as(target).contains("\"parameter\":\"model\"");
      }
      for (String target : List.of("/api/v1/community/%", "/api/v1/community/%zz", "/api/v1/community/a%2Fb")) {
        RawHttp.Answer answer = RawHttp.get(aggregator.httpPort(), target);
        bodies.add(answer.body());
        assertThat(answer.status()).as(target).isEqualTo(400);
        assertThat(answer.headers()).as(target).containsIgnoringCase("content-type: application/json");
        assertThat(answer.body()).as(target).startsWith("{\"error\":");
      }

      // Numbers: not a number, not finite, out of range.
      assertParameter(api + "/api/v1/percentile?tps=NaN&" + KEY, "tps");
      assertParameter(api + "/api/v1/percentile?tps=Infinity&" + KEY, "tps");
      assertParameter(api + "/api/v1/percentile?tps=-5&" + KEY, "tps");
      assertParameter(api + "/api/v1/percentile?tps=0&" + KEY, "tps");
      assertParameter(api + "/api/v1/percentile?tps=fast&" + KEY, "tps");
      assertThat(assertParameter(api + "/api/v1/stats?ctx=99999999999", "ctx").body().path("error").asText()).contains("outside");
      assertThat(assertParameter(api + "/api/v1/stats?ctx=eight", "ctx").body().path("error").asText()).contains("not a whole number");
      assertParameter(api + "/api/v1/stats?page=0", "page");
      assertParameter(api + "/api/v1/estimate?model=llama-3.1-8b-instruct&gpu=nvidia-rtx-4090&users=0", "users");
      // The estimator: an unknown quantization is a bad parameter, not a missing resource.
      assertParameter(api + "/api/v1/estimate?model=llama-3.1-8b-instruct&gpu=nvidia-rtx-4090&quant=Q9_Z", "quant");
      assertParameter(api + "/api/v1/estimate?model=llama-3.1-8b-instruct&gpu=nvidia-rtx-4090&quant=UNKNOWN", "quant");
      assertParameter(api + "/api/v1/estimate?model=llama-3.1-8b-instruct&gpu=no-such-gpu", "gpu");
      // Peer-only parameters are not public; the page size is capped for everyone.
      assertParameter(api + "/api/v1/stats?local=true", "local");
      assertParameter(api + "/api/v1/stats?size=100000", "size");
      assertParameter(api + "/api/v1/stats?model=a&model=b", "model");
      assertParameter(api + "/api/v1/stats?model=a%01b", "model");
      assertParameter(api + "/api/v1/stats?model=" + "m".repeat(300), "model");
      assertThat(get(api + "/internal/v1/stats?partitions=0").status()).as("peer queries are not on the public listener").isEqualTo(404);

      // Unknown things: 404 in JSON; the page's 404 for a model nobody knows.
      assertThat(remember(get(api + "/api/v1/no-such-endpoint")).status()).isEqualTo(404);
      assertThat(remember(get(api + "/api/v1/community/no-such-model")).status()).isEqualTo(404);
      HttpResponse<String> page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(api + "/models/no-such-model")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(page.statusCode()).isEqualTo(404);
      assertThat(page.body()).contains("<html");
      assertThat(HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(api + "/models/llama-3.1-8b-instruct")).build(), HttpResponse.BodyHandlers.discarding()).statusCode())
          .as("in the model catalog, reported or not").isEqualTo(200);
      HttpResponse<String> post = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(api + "/api/v1/stats")).POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(post.statusCode()).isEqualTo(405);
      bodies.add(post.body());

      // JSON answers are compressed on request and carry an ETag that a revalidation matches.
      HttpResponse<byte[]> zipped = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(api + "/api/v1/catalog/gpus")).header("Accept-Encoding", "gzip").build(),
          HttpResponse.BodyHandlers.ofByteArray());
      assertThat(zipped.headers().firstValue("Content-Encoding")).hasValue("gzip");
      assertThat(new String(new GZIPInputStream(new java.io.ByteArrayInputStream(zipped.body())).readAllBytes())).contains("\"vramGiB\":24.0");
      String etag = zipped.headers().firstValue("ETag").orElseThrow();
      assertThat(HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(api + "/api/v1/catalog/gpus")).header("If-None-Match", etag).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(304);

      assertThat(bodies).isNotEmpty().allSatisfy(body -> assertThat(body).doesNotContainPattern(INTERNALS));
    }
  }

  private RunningAggregators.Answer assertParameter(String url, String parameter) {
    RunningAggregators.Answer answer = remember(get(url));
    assertThat(answer.status()).as(url).isEqualTo(400);
    assertThat(answer.body().path("parameter").asText()).as(url).isEqualTo(parameter);
    return answer;
  }

  private RunningAggregators.Answer remember(RunningAggregators.Answer answer) {
    bodies.add(answer.response().body());
    return answer;
  }
}
