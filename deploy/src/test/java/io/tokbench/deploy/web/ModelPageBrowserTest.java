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
 * local stack fed by the demo fleet: the answer (community table and estimate) on the first screen
 * at 1,400×900, a quantization selector that changes the table and the chart, nothing overflowing a
 * 390-px phone outside scroll containers that say they scroll, a 404 page for unknown ids, the
 * estimator following the number of users, and a new report showing up without a reload. Where
 * Chromium is not installed the tests report themselves skipped, saying so.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ModelPageBrowserTest {
  /** Written for CI to keep as build artifacts. */
  static final Path SCREENSHOTS = Path.of("target", "browser-screenshots");
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
    // The tests choose Q8_0 and expect more than one quantization: wait for it, not only for the first rows.
    awaitApi("/api/v1/community/" + MODEL, body -> body.contains("\"nvidia-rtx-4090\"") && body.contains("\"Q8_0\""));
    awaitApi("/api/v1/calibration", body -> body.contains("ollama|CUDA|GDDR|Q4_K_M"));

    ChromeOptions options = new ChromeOptions();
    options.setBinary(chromium);
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars", "--window-size=1400,900");
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
  void desktopWindow() {
    viewport(1400, 900);
  }

  private void openModelPage() {
    browser.get(stack.apiUrl() + "/models/" + MODEL);
    wait.until(d -> rows("community-table").size() >= 5 && text("est-aggregate").contains("tok/s"));
  }

  @Test
  void theAnswerIsOnTheFirstScreenAt1400x900() throws IOException {
    openModelPage();
    assertThat(text("model-title")).isEqualTo("Llama 3.1 8B Instruct");
    Map<String, Object> community = rect("community-table");
    Map<String, Object> result = rect("est-result");
    long height = (Long) js("return window.innerHeight;");
    assertThat(((Number) community.get("top")).doubleValue()).as("the community table starts on the first screen").isBetween(0.0, height - 200.0);
    assertThat(((Number) result.get("bottom")).doubleValue()).as("the estimator's result ends on the first screen").isLessThanOrEqualTo(height);
    assertThat(rows("community-table").get(0).getText()).matches("(?s).*\\d+\\.\\d.*");
    assertThat(browser.findElements(By.cssSelector("#community-table tbody tr")).stream().map(WebElement::getText))
        .anyMatch(row -> row.contains("RTX 4090") && row.contains("Ollama"));
    assertThat(browser.findElements(By.cssSelector("#tokps-chart rect"))).as("one bar per GPU").hasSizeGreaterThanOrEqualTo(rows("community-table").size());
    assertThat(rows("quant-table")).extracting(WebElement::getText).anyMatch(row -> row.startsWith("Q4_K_M") && row.contains("GiB"));
    // The details, unfolded: every column of the measurements fits at this width.
    browser.findElement(By.cssSelector("#all-measurements > summary")).click();
    wait.until(d -> rows("stats-table").size() == 25);
    assertThat((Boolean) js("const b = document.getElementById('stats-table').parentElement; return b.scrollWidth <= b.clientWidth + 1;"))
        .as("the measurements table is not clipped at 1,400 px").isTrue();
    assertThat(text("pager-status")).matches("Page 1 of \\d+");
    browser.findElement(By.cssSelector("#all-measurements > summary")).click();
    js("window.scrollTo(0, 0);");
    screenshot("model-page-1400x900.png");
  }

  @Test
  void theQuantizationSelectorChangesTheTableAndTheChart() {
    openModelPage();
    Select quant = new Select(browser.findElement(By.id("community-quant")));
    assertThat(quant.getOptions()).extracting(WebElement::getText).doesNotContain("UNKNOWN").hasSizeGreaterThan(1);
    String defaultQuant = quant.getFirstSelectedOption().getText();
    assertThat(defaultQuant).as("the most reported quantization first").isEqualTo(quant.getOptions().get(0).getText());
    String tableBefore = browser.findElement(By.id("community-table")).getText();
    String chartBefore = browser.findElement(By.id("tokps-chart")).getAttribute("aria-label");

    quant.selectByVisibleText("Q8_0");

    wait.until(d -> !browser.findElement(By.id("community-table")).getText().equals(tableBefore));
    assertThat(text("community-caption")).contains("Q8_0");
    assertThat(browser.findElement(By.id("tokps-chart")).getAttribute("aria-label")).isNotEqualTo(chartBefore).contains("Q8_0");
    assertThat(new Select(browser.findElement(By.id("community-offload"))).getFirstSelectedOption().getText()).isNotBlank();
    wait.until(d -> new Select(browser.findElement(By.id("est-quant"))).getFirstSelectedOption().getText().equals("Q8_0"));
    for (String select : List.of("est-quant", "filter-quant")) {
      assertThat(new Select(browser.findElement(By.id(select))).getOptions()).extracting(WebElement::getText).as(select).doesNotContain("UNKNOWN");
    }
  }

  @Test
  void onA390PixelPhoneNothingOverflowsOutsideScrollContainersThatSayTheyScroll() throws IOException {
    viewport(390, 844);
    openModelPage();
    browser.findElement(By.cssSelector("#all-measurements > summary")).click();
    wait.until(d -> rows("stats-table").size() == 25);
    assertThat((Boolean) js("return document.documentElement.scrollWidth <= window.innerWidth;")).as("no horizontal scrolling of the page").isTrue();
    @SuppressWarnings("unchecked")
    List<String> offenders = (List<String>) js(String.join("\n",
        "const width = window.innerWidth, bad = [];",
        "for (const e of document.querySelectorAll('body *')) {",
        "  const r = e.getBoundingClientRect();",
        "  if (r.width === 0 || r.right <= width + 1) continue;",
        "  const box = e.closest('.table-scroll');",
        "  const hint = box && box.previousElementSibling;",
        "  const says = box && box.dataset.overflowing === 'true' && hint && hint.classList.contains('scroll-hint') && hint.offsetParent !== null;",
        "  if (!says) bad.push(e.tagName + '#' + e.id + '.' + e.className);",
        "}",
        "for (const c of document.querySelectorAll('.card input, .card select, .card button')) {",
        "  const card = c.closest('.card').getBoundingClientRect(), r = c.getBoundingClientRect();",
        "  if (r.width > 0 && (r.right > card.right + 0.5 || r.left < card.left - 0.5)) bad.push('control outside its card: ' + c.id);",
        "}",
        "return bad;"));
    assertThat(offenders).as("elements past the right edge outside a scroll container that says it scrolls").isEmpty();
    browser.findElement(By.cssSelector("#all-measurements > summary")).click();
    js("window.scrollTo(0, 0);");
    screenshot("model-page-390x844.png");
  }

  @Test
  void unknownIdsShowTheNotFoundPage() {
    browser.get(stack.apiUrl() + "/models/unknown");
    wait.until(d -> browser.findElement(By.id("missing-view")).isDisplayed());
    assertThat(text("missing-title")).isEqualTo("Page not found");
    assertThat(browser.findElement(By.id("model-view")).isDisplayed()).isFalse();
  }

  @Test
  void theListsShowNamesAndTheGpuPageHasAChart() {
    browser.get(stack.apiUrl() + "/");
    wait.until(d -> rows("top-models-table").size() >= 5);
    assertThat(rows("top-models-table")).extracting(WebElement::getText).anyMatch(row -> row.startsWith("Llama 3.1 8B Instruct"));
    browser.findElement(By.linkText("Models")).click();
    wait.until(d -> browser.findElement(By.id("models-view")).isDisplayed() && rows("models-table").size() >= 3);
    assertThat(rows("models-table")).extracting(WebElement::getText).anyMatch(row -> row.startsWith("Llama 3.1 8B Instruct llama-3.1-8b-instruct"));
    assertThat(browser.getCurrentUrl()).endsWith("/models");

    browser.get(stack.apiUrl() + "/gpus/nvidia-rtx-4090");
    wait.until(d -> browser.findElements(By.cssSelector("#gpu-chart rect")).size() >= 3);
    assertThat(text("gpu-summary")).contains("24.0 GiB VRAM");
    wait.until(d -> rows("gpu-table").stream().anyMatch(r -> r.getText().startsWith("Llama 3.1 8B Instruct")));
    assertThat(rows("gpu-table")).extracting(r -> r.findElement(By.tagName("th")).getText()).noneMatch(name -> name.equals(MODEL));
  }

  @Test
  void theEstimatorFollowsTheNumberOfUsers() {
    openModelPage();
    String oneUser = text("est-aggregate");
    double single = number(text("est-per-user"));

    WebElement users = browser.findElement(By.id("est-users"));
    users.clear();
    users.sendKeys("8");

    wait.until(d -> !text("est-aggregate").equals(oneUser));
    assertThat(number(text("est-aggregate"))).as("8 users together get more than one").isGreaterThan(number(oneUser));
    assertThat(number(text("est-per-user"))).as("each of 8 users gets less than one alone").isLessThan(single);
    assertThat(text("est-basis")).contains("predicted from");
    assertThat(text("est-vram")).contains("GiB");
  }

  @Test
  void aNewReportAppearsWithoutAReload() throws Exception {
    openModelPage();
    js("window.tokbenchNoReload = true;");
    new Select(browser.findElement(By.id("community-quant"))).selectByVisibleText("Q4_K_M");
    browser.findElement(By.id("community-more")).click();
    assertThat(browser.findElement(By.id("community-table")).getText()).doesNotContain("H100 SXM");

    publishOnH100();

    wait.until(d -> browser.findElement(By.id("community-table")).getText().contains("H100 SXM"));
    assertThat(js("return window.tokbenchNoReload === true;")).as("the same page, not a reload").isEqualTo(true);
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

  private void viewport(int width, int height) {
    // The window's size includes its frame: grow it until the page itself gets width × height.
    browser.manage().window().setSize(new org.openqa.selenium.Dimension(width, height));
    long innerWidth = (Long) js("return window.innerWidth;");
    long innerHeight = (Long) js("return window.innerHeight;");
    browser.manage().window().setSize(new org.openqa.selenium.Dimension(2 * width - (int) innerWidth, 2 * height - (int) innerHeight));
    assertThat((Long) js("return window.innerWidth;")).isEqualTo(width);
    assertThat((Long) js("return window.innerHeight;")).isEqualTo(height);
  }

  private Object js(String script) {
    return ((JavascriptExecutor) browser).executeScript(script);
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> rect(String id) {
    return (Map<String, Object>) js("const r = document.getElementById('" + id + "').getBoundingClientRect(); return {top: r.top, bottom: r.bottom};");
  }

  private void screenshot(String name) throws IOException {
    Files.createDirectories(SCREENSHOTS);
    Files.write(SCREENSHOTS.resolve(name), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
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
