package io.tokbench.deploy.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokbench.deploy.demo.DemoFeed;
import io.tokbench.deploy.local.LocalStack;
import io.tokbench.normalize.Normalization;
import io.tokbench.schema.BenchmarkReport;
import io.tokbench.schema.Gpu;
import io.tokbench.schema.Hardware;
import io.tokbench.serde.AvroSerializer;
import io.tokbench.testkit.FreePorts;
import io.tokbench.testkit.SampleReports;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web page in real headless Chromium (Debian's chromium and chromium-driver), against the real
 * local stack fed by the demo fleet: the model page shows its tables and chart, a filter changes
 * the rows, the estimator follows the number of users, and a new report shows up without a reload.
 * Where Chromium is not installed the tests report themselves skipped, saying so.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ModelPageBrowserTest {
  /** Written for CI to keep as a build artifact. */
  static final Path SCREENSHOT = Path.of("target", "browser-screenshots", "model-page.png");
  private static final String MODEL = "llama-3.1-8b-instruct";

  private Path dataDir;
  private LocalStack stack;
  private DemoFeed feed;
  private ChromeDriver browser;
  private WebDriverWait wait;

  @BeforeAll
  void startStackAndBrowser() throws Exception {
    File chromium = executable("TOKBENCH_CHROMIUM", "/usr/bin/chromium", "/usr/bin/chromium-browser");
    File chromedriver = executable("TOKBENCH_CHROMEDRIVER", "/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver");
    Assumptions.assumeTrue(chromium != null && chromedriver != null,
        "Chromium not found: install Debian's chromium and chromium-driver (apt-get install chromium chromium-driver), or set TOKBENCH_CHROMIUM and TOKBENCH_CHROMEDRIVER");

    dataDir = Files.createTempDirectory("tokbench-browser");
    stack = LocalStack.start(new LocalStack.Config(dataDir, "localhost", FreePorts.next(), FreePorts.next(), FreePorts.next(), FreePorts.next()));
    // The live trickle is off (an hour apart): the test adds its own report when it wants one.
    feed = DemoFeed.start(stack.bootstrapServers(), stack.registryUrl(), dataDir, Duration.ofHours(1), Clock.systemUTC());
    awaitApi("/api/v1/community/" + MODEL, body -> body.contains("\"nvidia-rtx-4090\""));
    awaitApi("/api/v1/calibration", body -> body.contains("ollama|CUDA|GDDR|Q4_K_M"));

    ChromeOptions options = new ChromeOptions();
    options.setBinary(chromium);
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,2200");
    // An explicit driver and browser: Selenium Manager has nothing to download.
    browser = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(chromedriver).build(), options);
    wait = new WebDriverWait(browser, Duration.ofSeconds(30));
  }

  @AfterAll
  void stop() {
    if (browser != null) {
      browser.quit();
    }
    if (feed != null) {
      feed.close();
    }
    if (stack != null) {
      stack.close();
    }
  }

  @BeforeEach
  void openModelPage() {
    browser.get(stack.apiUrl() + "/models/" + MODEL);
    wait.until(d -> rows("community-table").size() >= 5);
  }

  @Test
  void theModelPageShowsTheCommunityTableAndTheChartFromTheDemoData() throws IOException {
    assertThat(browser.findElement(By.id("model-title")).getText()).isEqualTo("Llama 3.1 8B Instruct");
    List<WebElement> community = rows("community-table");
    assertThat(community.get(0).getText()).matches("(?s).*\\d+\\.\\d.*"); // a median with one decimal
    assertThat(browser.findElements(By.cssSelector("#community-table tbody tr")).stream().map(WebElement::getText))
        .anyMatch(row -> row.contains("RTX 4090") && row.contains("Q4_K_M · Ollama"));
    List<WebElement> bars = browser.findElements(By.cssSelector("#tokps-chart rect"));
    assertThat(bars).as("one bar per GPU row").hasSizeGreaterThanOrEqualTo(community.size());
    assertThat(rows("quant-table")).extracting(WebElement::getText).anyMatch(row -> row.startsWith("Q4_K_M"));

    Files.createDirectories(SCREENSHOT.getParent());
    Files.write(SCREENSHOT, ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
  }

  @Test
  void aQuantizationFilterLeavesOnlyThatQuantizationsRows() {
    wait.until(d -> rows("stats-table").size() > 3);
    int before = rows("stats-table").size();

    new Select(browser.findElement(By.id("filter-quant"))).selectByValue("Q8_0");

    wait.until(d -> rows("stats-table").size() < before);
    List<WebElement> after = rows("stats-table");
    assertThat(after).isNotEmpty();
    assertThat(after).extracting(row -> row.findElements(By.tagName("td")).get(0).getText()).containsOnly("Q8_0");
  }

  @Test
  void theEstimatorFollowsTheNumberOfUsers() {
    wait.until(d -> text("est-aggregate").contains("tok/s"));
    String oneUser = text("est-aggregate");
    double single = number(text("est-per-user"));

    WebElement users = browser.findElement(By.id("est-users"));
    users.clear();
    users.sendKeys("8");

    wait.until(d -> !text("est-aggregate").equals(oneUser));
    assertThat(number(text("est-aggregate"))).as("8 users together get more than one").isGreaterThan(number(oneUser));
    assertThat(number(text("est-per-user"))).as("each of 8 users gets less than one alone").isLessThan(single);
    assertThat(text("est-basis")).contains("predicted from");
  }

  @Test
  void aNewReportAppearsWithoutAReload() throws Exception {
    ((JavascriptExecutor) browser).executeScript("window.tokbenchNoReload = true;");
    assertThat(browser.findElement(By.id("community-table")).getText()).doesNotContain("H100 SXM");

    publishOnH100();

    wait.until(d -> browser.findElement(By.id("community-table")).getText().contains("H100 SXM"));
    assertThat(((JavascriptExecutor) browser).executeScript("return window.tokbenchNoReload === true;")).as("the same page, not a reload").isEqualTo(true);
  }

  /** The sample report of this model, from a rig with an H100 SXM: no demo rig has one. */
  private void publishOnH100() throws Exception {
    BenchmarkReport sample = SampleReports.rtx4090(UUID.randomUUID(), Instant.now().minusSeconds(30));
    BenchmarkReport report = BenchmarkReport.newBuilder(sample)
        .setModel(io.tokbench.schema.Model.newBuilder(sample.getModel()).setName("llama3.1:8b").setDigest(null).build())
        .setHardware(Hardware.newBuilder(sample.getHardware()).setGpus(List.of(Gpu.newBuilder(sample.getHardware().getGpus().get(0))
            .setRawName("NVIDIA H100 80GB HBM3").setCanonicalId(null).setVramBytes(85_520_809_984L).build())).build())
        .build();
    assertThat(Normalization.key(report).getModel()).isEqualTo(MODEL);
    AvroSerializer<BenchmarkReport> serializer = new AvroSerializer<>();
    serializer.configure(Map.of("schema.registry.url", stack.registryUrl()), false);
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", stack.bootstrapServers()), new StringSerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>("tokbench.reports", report.getRigId().toString(), serializer.serialize("tokbench.reports", report))).get();
    }
  }

  private List<WebElement> rows(String tableId) {
    return browser.findElements(By.cssSelector("#" + tableId + " tbody tr"));
  }

  private String text(String id) {
    return browser.findElement(By.id(id)).getText();
  }

  /** The first number in a text like "244.1 tok/s in total". */
  private static double number(String text) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\d[\\d,]*(\\.\\d+)?").matcher(text);
    assertThat(m.find()).as("a number in '%s'", text).isTrue();
    return Double.parseDouble(m.group().replace(",", ""));
  }

  private void awaitApi(String path, java.util.function.Predicate<String> ready) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    String body = "";
    while (System.nanoTime() < deadline) {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(stack.apiUrl() + path)).build(), HttpResponse.BodyHandlers.ofString());
      body = response.body();
      if (response.statusCode() == 200 && ready.test(body)) {
        return;
      }
      Thread.sleep(500);
    }
    throw new AssertionError("the demo data did not reach " + path + " in time; last answer: " + body);
  }

  private static File executable(String variable, String... candidates) {
    String configured = System.getenv(variable);
    for (String path : configured != null ? List.of(configured) : List.of(candidates)) {
      File file = new File(path);
      if (file.canExecute()) {
        return file;
      }
    }
    return null;
  }

}
