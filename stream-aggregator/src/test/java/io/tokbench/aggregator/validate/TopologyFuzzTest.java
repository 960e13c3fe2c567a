package io.tokbench.aggregator.validate;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokbench.aggregator.app.AggregatorMetrics;
import io.tokbench.aggregator.support.AggregatorDriver;
import io.tokbench.aggregator.support.HostileInputs;
import io.tokbench.aggregator.topology.Topics;
import io.tokbench.registry.client.RegistryClientConfig;
import io.tokbench.registry.client.SchemaRegistryClient;
import io.tokbench.schema.BenchmarkReport;
import io.tokbench.testkit.InProcessKafkaStack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * The whole topology under generated input: reports with random values in every field (boundary
 * values mixed in), mutations of a valid report's bytes (bit flips, truncations, rewritten length
 * prefixes) and random bytes. Every input must end accepted, refused with a reason, or dropped as
 * a duplicate; none may fail a step (which would show as PROCESSING_FAILED) or throw out of the
 * driver. jqwik prints the seed of every run; a seed that once failed is kept below as a regular
 * property.
 */
class TopologyFuzzTest {
  private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");
  private static final List<HostileInputs.Field> FIELDS = HostileInputs.fields();
  private static InProcessKafkaStack stack;
  private static AggregatorDriver driver;
  private static byte[] validPayload;
  private static long inputs;

  @BeforeContainer
  static void start() throws Exception {
    stack = InProcessKafkaStack.start(1);
    driver = new AggregatorDriver(stack, Files.createTempDirectory("fuzz"), NOW);
    SchemaRegistryClient registry = new SchemaRegistryClient(RegistryClientConfig.fromConfigs(Map.of("schema.registry.url", stack.registryUrl())));
    int id = registry.register(Topics.REPORTS + "-value", BenchmarkReport.getClassSchema());
    validPayload = HostileInputs.framed(id, HostileInputs.encode(HostileInputs.valid(NOW.minusSeconds(60))));
  }

  @AfterContainer
  static void stop() {
    driver.close();
    stack.close();
  }

  @Property(tries = 100_000, shrinking = ShrinkingMode.BOUNDED)
  void everyInputEndsAcceptedOrRefusedWithAReason(@ForAll("inputs") Object input) {
    long before = verdicts();
    if (input instanceof BenchmarkReport report) {
      driver.pipe(report);
    } else {
      driver.pipeRaw((byte[]) input);
    }
    assertThat(verdicts() - before).as("verdicts for one input").isEqualTo(1);
    assertThat(driver.metrics().rejectedCounts()).doesNotContainKey(Rejection.PROCESSING_FAILED);
    if (++inputs % 500 == 0) {
      driver.emitRows(); // rows, roll-up and calibration points go out as in production
      driver.rejected();
      driver.statsTopic();
    }
  }

  /** Verdicts of the validate step: accepted, or rejected for a reason found there. */
  private static long verdicts() {
    AggregatorMetrics m = driver.metrics();
    return m.acceptedCount() + m.rejectedCounts().entrySet().stream()
        .filter(e -> !e.getKey().equals(Rejection.RETRACTED) && !e.getKey().equals(Rejection.RIG_ROW_LIMIT))
        .mapToLong(Map.Entry::getValue).sum();
  }

  @Provide
  Arbitrary<Object> inputs() {
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(5, editedReports().map(r -> (Object) r)),
        net.jqwik.api.Tuple.of(3, mutatedBytes().map(b -> (Object) b)),
        net.jqwik.api.Tuple.of(1, Arbitraries.bytes().array(byte[].class).ofMaxSize(300).map(b -> (Object) b)));
  }

  /** A valid report with one to four fields set to generated values (boundary values mixed in). */
  private Arbitrary<BenchmarkReport> editedReports() {
    Arbitrary<Object[]> edit = Combinators.combine(Arbitraries.integers().between(0, FIELDS.size() - 1), values())
        .as((field, value) -> new Object[] {field, value});
    return edit.list().ofMinSize(0).ofMaxSize(4).map(edits -> {
      BenchmarkReport report = HostileInputs.valid(NOW.minusSeconds(60));
      for (Object[] e : edits) {
        HostileInputs.Field field = FIELDS.get((Integer) e[0]);
        Object value = e[1];
        if (field.isNumber() != value instanceof Number) {
          continue;
        }
        report = field.set(report, value);
      }
      return BenchmarkReport.newBuilder(report).setReportId(UUID.randomUUID()).build();
    });
  }

  private Arbitrary<Object> values() {
    return Arbitraries.oneOf(
        Arbitraries.integers().map(i -> (Object) i),
        Arbitraries.longs().map(l -> (Object) l),
        Arbitraries.doubles().withSpecialValue(Double.NaN).withSpecialValue(Double.POSITIVE_INFINITY).withSpecialValue(-0.0).map(d -> (Object) d),
        Arbitraries.strings().all().ofMaxLength(300).map(s -> (Object) s),
        Arbitraries.strings().withChars("abcXYZ019 ._-:/\u001f\u001e\u0000\u202e\u00e9").ofMaxLength(40).map(s -> (Object) s));
  }

  /** The wire bytes of a valid report, with flipped bits, cut short, or with a varint rewritten. */
  private Arbitrary<byte[]> mutatedBytes() {
    int bodyBits = (validPayload.length - 5) * 8;
    Arbitrary<byte[]> flips = Arbitraries.integers().between(0, bodyBits - 1).list().ofMinSize(1).ofMaxSize(4).map(bits -> {
      byte[] copy = validPayload.clone();
      for (int bit : bits) {
        copy[5 + bit / 8] ^= (byte) (1 << (bit % 8));
      }
      return copy;
    });
    Arbitrary<byte[]> truncations = Arbitraries.integers().between(0, validPayload.length - 1).map(n -> Arrays.copyOf(validPayload, n));
    Arbitrary<byte[]> rewritten = Combinators.combine(Arbitraries.integers().between(5, validPayload.length - 1), Arbitraries.longs()).as((at, value) -> {
      byte[] copy = validPayload.clone();
      long zigzag = (value << 1) ^ (value >> 63);
      for (int i = at; i < copy.length; i++) {
        copy[i] = (byte) ((zigzag & 0x7f) | ((zigzag >>> 7) != 0 ? 0x80 : 0));
        zigzag >>>= 7;
        if (zigzag == 0) {
          break;
        }
      }
      return copy;
    });
    return Arbitraries.oneOf(flips, truncations, rewritten);
  }
}
