package io.tokbench.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tokbench.schema.BenchmarkReport;
import io.tokbench.testkit.SampleReports;
import java.time.Instant;
import java.util.UUID;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Combinators;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * The walk that stands between untrusted bytes and Avro's decoder: whatever the bytes, it either
 * refuses them with a reason or they decode without running past the body or allocating what they
 * merely claim.
 */
class AvroBodyCheckTest {
  private static final Schema SCHEMA = BenchmarkReport.getClassSchema();
  private static final byte[] VALID = encode(SampleReports.rtx4090(UUID.randomUUID(), Instant.parse("2026-11-01T10:00:00Z")));

  @Example
  void aValidReportPasses() {
    AvroBodyCheck.check(SCHEMA, VALID, 0, VALID.length);
  }

  @Example
  void aStringClaimingTwoGigabytesIsRefusedBeforeAnyAllocation() {
    // reportId's length as a zig-zag varint of 2^30: five bytes in all, the claim 1 GiB.
    byte[] body = {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08};
    assertThatThrownBy(() -> AvroBodyCheck.check(SCHEMA, body, 0, body.length))
        .isInstanceOf(WireFormatException.class)
        .hasMessageContaining("declares 1073741824 bytes but 0 remain")
        .hasMessageContaining("reportId");
  }

  @Example
  void anArrayClaimingMoreItemsThanBytesIsRefused() {
    Schema array = new Schema.Parser().parse("{\"type\":\"array\",\"items\":\"null\"}");
    byte[] body = {(byte) 0xfe, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f, 0};
    assertThatThrownBy(() -> AvroBodyCheck.check(array, body, 0, body.length))
        .hasMessageContaining("more than the body has bytes");
  }

  @Example
  void aMapClaimingHugeBlockSizeIsRefused() {
    Schema map = new Schema.Parser().parse("{\"type\":\"map\",\"values\":\"bytes\"}");
    byte[] body = {0x01, (byte) 0xfe, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f};
    assertThatThrownBy(() -> AvroBodyCheck.check(map, body, 0, body.length)).hasMessageContaining("remain");
  }

  @Example
  void deepNestingOfARecursiveWriterSchemaIsRefused() {
    Schema node = new Schema.Parser().parse(
        "{\"type\":\"record\",\"name\":\"Node\",\"fields\":[{\"name\":\"next\",\"type\":[\"null\",\"Node\"]}]}");
    byte[] body = new byte[10_000];
    Arrays.fill(body, (byte) 0x02); // union branch 1 (Node), again and again
    assertThatThrownBy(() -> AvroBodyCheck.check(node, body, 0, body.length)).hasMessageContaining("nesting deeper than");
  }

  @Example
  void trailingBytesAreRefused() {
    byte[] longer = Arrays.copyOf(VALID, VALID.length + 3);
    assertThatThrownBy(() -> AvroBodyCheck.check(SCHEMA, longer, 0, longer.length)).hasMessageContaining("3 bytes follow the end of the record");
  }

  @Property(tries = 3000)
  void mutatedReportsAreRefusedOrDecodeWithinTheirBytes(@ForAll("mutations") byte[] body) {
    assertRefusedOrDecodable(body);
  }

  @Property(tries = 2000)
  void randomBytesAreRefusedOrDecodeWithinTheirBytes(@ForAll byte[] body) {
    assertRefusedOrDecodable(body);
  }

  private static void assertRefusedOrDecodable(byte[] body) {
    try {
      AvroBodyCheck.check(SCHEMA, body, 0, body.length);
    } catch (WireFormatException refused) {
      assertThat(refused.getMessage()).startsWith("the Avro body is malformed: ").doesNotContain("java.", "org.apache");
      return;
    }
    try {
      // Plain generic data: no logical-type conversions, so this asserts the structure alone
      // (a uuid field holding other text is the deserializer's INVALID_FIELD, tested there).
      new GenericDatumReader<>(SCHEMA, SCHEMA, new GenericData()).read(null, DecoderFactory.get().binaryDecoder(body, 0, body.length, null));
    } catch (IOException e) {
      throw new AssertionError("the check passed a body that does not decode", e);
    }
  }

  @Provide
  Arbitrary<byte[]> mutations() {
    Arbitrary<byte[]> flips = Combinators.combine(Arbitraries.integers().between(0, VALID.length * 8 - 1), Arbitraries.integers().between(1, 4))
        .as((bit, times) -> {
          byte[] copy = VALID.clone();
          for (int i = 0; i < times; i++) {
            int b = (bit + i * 37) % (VALID.length * 8);
            copy[b / 8] ^= (byte) (1 << (b % 8));
          }
          return copy;
        });
    Arbitrary<byte[]> truncations = Arbitraries.integers().between(0, VALID.length - 1).map(n -> Arrays.copyOf(VALID, n));
    Arbitrary<byte[]> rewrittenVarints = Combinators.combine(Arbitraries.integers().between(0, VALID.length - 1), Arbitraries.longs())
        .as((at, value) -> {
          // Overwrite the bytes at a position with an arbitrary varint: a length prefix now claims anything.
          byte[] copy = VALID.clone();
          long zigzag = (value << 1) ^ (value >> 63);
          int i = at;
          while (i < copy.length) {
            copy[i++] = (byte) ((zigzag & 0x7f) | ((zigzag >>>= 7) != 0 ? 0x80 : 0));
            if (zigzag == 0) {
              break;
            }
          }
          return copy;
        });
    return Arbitraries.oneOf(flips, truncations, rewrittenVarints);
  }

  private static byte[] encode(BenchmarkReport report) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
      new SpecificDatumWriter<>(BenchmarkReport.class).write(report, encoder);
      encoder.flush();
      return out.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
