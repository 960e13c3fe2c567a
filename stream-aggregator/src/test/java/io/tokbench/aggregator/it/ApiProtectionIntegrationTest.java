package io.tokbench.aggregator.it;

import static io.tokbench.aggregator.support.RunningAggregators.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.tokbench.aggregator.app.Aggregator;
import io.tokbench.aggregator.validate.Rejection;
import io.tokbench.aggregator.query.ApiProtection;
import io.tokbench.aggregator.support.RunningAggregators;
import io.tokbench.aggregator.support.TestReports;
import io.tokbench.schema.BenchmarkReport;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin API needs the operator token (401 without, 403 with a wrong one) and its retraction
 * goes through the real pipeline; the public API limits each client's rate (429 with Retry-After)
 * and refuses oversized requests.
 */
@WithKafkaStack
class ApiProtectionIntegrationTest {
  private static final String TOKEN = "operator-" + UUID.randomUUID();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private final KafkaStack stack;
  @TempDir Path dir;

  ApiProtectionIntegrationTest(KafkaStack stack) {
    this.stack = stack;
  }

  private static HttpResponse<String> post(String url, String token, String body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void adminOperationsNeedTheOperatorTokenAndARetractionReachesTheTables() throws Exception {
    ApiProtection protection = new ApiProtection(TOKEN, 0);
    try (Aggregator aggregator = RunningAggregators.startRunning(RunningAggregators.config(stack, "it-admin-" + UUID.randomUUID(), dir.resolve("state")).withProtection(protection))) {
      UUID kept = UUID.randomUUID();
      UUID withdrawn = UUID.randomUUID();
      Instant at = Instant.now().minusSeconds(30);
      List<BenchmarkReport> reports = List.of(TestReports.forModel(TestReports.at(kept, 80, at), "admin-model"), TestReports.forModel(TestReports.at(withdrawn, 100, at), "admin-model"));
      RunningAggregators.publishAsTheAgentDoes(stack, dir.resolve("spool"), reports);
      String rows = aggregator.apiUrl() + "/api/v1/stats?model=raw:admin-model";
      assertThat(await(rows, a -> a.status() == 200 && a.body().path("rows").path(0).path("rigCount").asInt() == 2, Duration.ofSeconds(60))
          .body().path("rows").path(0).path("rigCount").asInt()).isEqualTo(2);

      String retractions = aggregator.internalUrl() + "/admin/v1/retractions";
      String body = "{\"rigId\":\"" + withdrawn + "\",\"reason\":\"owner asked\"}";
      HttpResponse<String> anonymous = post(retractions, null, body);
      assertThat(anonymous.statusCode()).isEqualTo(401);
      assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
      assertThat(post(retractions, "not-the-token", body).statusCode()).isEqualTo(403);
      assertThat(post(retractions, TOKEN, "{\"rigId\":\"" + withdrawn + "\",\"reportId\":\"" + UUID.randomUUID() + "\"}").statusCode()).isEqualTo(400);
      assertThat(post(retractions, TOKEN, "{\"rigId\":\"not-a-uuid\"}").body()).contains("rigId");
      assertThat(post(retractions, TOKEN, "x".repeat(ApiProtection.MAX_BODY_BYTES + 1)).statusCode()).isEqualTo(413);
      assertThat(RunningAggregators.get(retractions).status()).as("a GET without the token").isEqualTo(401);
      assertThat(post(aggregator.apiUrl() + "/admin/v1/retractions", TOKEN, body).statusCode()).as("not on the public listener").isEqualTo(404);
      assertThat(post(aggregator.apiUrl() + "/api/v1/admin/retractions", TOKEN, body).statusCode()).as("not on the public listener").isEqualTo(404);
      assertThat(RunningAggregators.get(aggregator.apiUrl() + "/api/v1/stats?model=" + "m".repeat(ApiProtection.MAX_QUERY_CHARS)).status()).isEqualTo(414);

      HttpResponse<String> accepted = post(retractions, TOKEN, body);
      assertThat(accepted.statusCode()).isEqualTo(202);
      assertThat(accepted.body()).contains("\"topic\":\"tokbench.retractions\"");
      RunningAggregators.Answer after = await(rows, a -> a.status() == 200 && a.body().path("rows").path(0).path("rigCount").asInt() == 1, Duration.ofSeconds(60));
      assertThat(after.body().path("rows").path(0).path("generationTokensPerSecond").path("median").asDouble()).as("only the kept rig's 80 tok/s").isEqualTo(80.0, org.assertj.core.api.Assertions.within(0.5));

      RunningAggregators.publishAsTheAgentDoes(stack, dir.resolve("spool"), List.of(TestReports.forModel(TestReports.at(withdrawn, 120, Instant.now().minusSeconds(20)), "admin-model")));
      Instant refusedBy = Instant.now().plusSeconds(60);
      while (aggregator.metrics().rejectedCounts().getOrDefault(Rejection.RETRACTED, 0L) < 1 && Instant.now().isBefore(refusedBy)) {
        Thread.sleep(100);
      }
      assertThat(aggregator.metrics().rejectedCounts()).as("the report sent while retracted").containsEntry(Rejection.RETRACTED, 1L);
      assertThat(post(retractions, TOKEN, "{\"rigId\":\"" + withdrawn + "\",\"lifted\":\"yes\"}").body()).contains("lifted");
      HttpResponse<String> lifted = post(retractions, TOKEN, "{\"rigId\":\"" + withdrawn + "\",\"lifted\":true,\"reason\":\"owner changed their mind\"}");
      assertThat(lifted.statusCode()).isEqualTo(202);
      assertThat(lifted.body()).contains("\"lifted\":true");
      // The lift and the next report travel on different topics; a report the task happens to read
      // before the lift is refused, so send one until a report of the rig counts again.
      RunningAggregators.Answer back = null;
      for (int attempt = 0; attempt < 5 && (back == null || back.body().path("rows").path(0).path("rigCount").asInt() != 2); attempt++) {
        RunningAggregators.publishAsTheAgentDoes(stack, dir.resolve("spool"), List.of(TestReports.forModel(TestReports.at(withdrawn, 90, Instant.now().minusSeconds(10)), "admin-model")));
        back = await(rows, a -> a.status() == 200 && a.body().path("rows").path(0).path("rigCount").asInt() == 2, Duration.ofSeconds(15));
      }
      assertThat(back.body().path("rows").path(0).path("rigCount").asInt()).as("the lifted rig counts again").isEqualTo(2);
      assertThat(back.body().path("rows").path(0).path("generationTokensPerSecond").path("median").asDouble())
          .as("the report sent after the lift counts (90), the one sent while retracted (120) does not").isEqualTo(85.0, org.assertj.core.api.Assertions.within(0.5));

      HttpResponse<String> refit = post(aggregator.internalUrl() + "/admin/v1/recalibrate", TOKEN, "");
      assertThat(refit.statusCode()).isEqualTo(202);
      assertThat(refit.body()).contains("\"partitions\":3");
    }
  }

  @Test
  void aClientAboveItsRateGets429WithRetryAfterWhileProbesAndScrapesOnTheInternalListenerAreNeverLimited() throws Exception {
    try (Aggregator aggregator = RunningAggregators.startRunning(RunningAggregators.config(stack, "it-limit-" + UUID.randomUUID(), dir.resolve("limit")).withProtection(new ApiProtection(null, 2)))) {
      List<Integer> statuses = new ArrayList<>();
      String retryAfter = null;
      for (int i = 0; i < 10; i++) {
        RunningAggregators.Answer answer = RunningAggregators.get(aggregator.apiUrl() + "/api/v1/models");
        statuses.add(answer.status());
        if (answer.status() == 429) {
          retryAfter = answer.response().headers().firstValue("Retry-After").orElse(null);
        }
      }
      assertThat(statuses.subList(0, 4)).as("a burst of twice the rate passes").containsOnly(200);
      assertThat(statuses).contains(429);
      assertThat(retryAfter).isNotNull();
      assertThat(Integer.parseInt(retryAfter)).isBetween(1, 2);
      for (int i = 0; i < 10; i++) {
        for (String probe : List.of("/health", "/ready", "/metrics")) {
          assertThat(RunningAggregators.get(aggregator.internalUrl() + probe).status()).as(probe).isEqualTo(200);
        }
      }
    }
  }
}
