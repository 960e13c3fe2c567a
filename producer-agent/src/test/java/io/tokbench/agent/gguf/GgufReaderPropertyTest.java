package io.tokbench.agent.gguf;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokbench.agent.llamacpp.LlamaCppBuild;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The reader against files it was not written for: the real model's header cut at every length,
 * with bytes flipped or overwritten, and plain random bytes. Each read ends with facts or a
 * {@link GgufFormatException}, within a bound on the bytes it reads, and never throws anything
 * else (no overflow, no out-of-memory, no index error).
 */
class GgufReaderPropertyTest {
  /** The real tiny model's header (metadata and tensor infos; its tensor data left out). */
  private static final byte[] HEADER = realHeader();

  private static byte[] realHeader() {
    Path model = LlamaCppBuild.home().map(h -> h.resolve("model/tiny.gguf")).orElse(null);
    if (model == null) {
      // Without the build the properties run on a synthetic header of the same shape.
      GgufWriter writer = new GgufWriter(3, ByteOrder.LITTLE_ENDIAN).string("general.architecture", "llama").u32("llama.block_count", 6)
          .u32("general.file_type", 7).strings("tokenizer.ggml.tokens", java.util.Collections.nCopies(2000, "tok"));
      for (int i = 0; i < 50; i++) {
        writer.tensor("blk." + i + ".w", 288, 768);
      }
      return writer.bytes();
    }
    try {
      byte[] file = Files.readAllBytes(model);
      // The smallest prefix that reads is the header.
      int low = 8;
      int high = file.length;
      while (low < high) {
        int mid = (low + high) >>> 1;
        if (reads(Arrays.copyOf(file, mid))) {
          high = mid;
        } else {
          low = mid + 1;
        }
      }
      return Arrays.copyOf(file, low);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static boolean reads(byte[] bytes) {
    try {
      GgufReader.read(new BytesChannel(bytes));
      return true;
    } catch (GgufFormatException | IOException e) {
      return false;
    }
  }

  /** Facts or a format exception; anything else fails the property. */
  private static void readOrRefuse(byte[] bytes) throws IOException {
    try {
      GgufFacts facts = GgufReader.read(new BytesChannel(bytes));
      facts.blockCount().ifPresent(n -> assertThat(n).isPositive());
      facts.parameterCount().ifPresent(n -> assertThat(n).isNotNegative());
      facts.architecture().ifPresent(a -> assertThat(a).matches("[A-Za-z0-9_.-]{1,64}"));
    } catch (GgufFormatException expected) {
      assertThat(expected.getMessage()).isNotBlank();
    }
  }

  @Property(tries = 300)
  void aHeaderCutShortIsRefused(@ForAll @IntRange(min = 0, max = 1_000_000) int cut) throws IOException {
    int length = cut % HEADER.length;
    byte[] truncated = Arrays.copyOf(HEADER, length);
    try {
      GgufReader.read(new BytesChannel(truncated));
      throw new AssertionError("a header cut at " + length + " of " + HEADER.length + " bytes was read");
    } catch (GgufFormatException expected) {
      assertThat(expected.getMessage()).isNotBlank();
    }
  }

  @Property(tries = 2000)
  void aHeaderWithOverwrittenBytesReadsOrIsRefused(@ForAll("edits") List<int[]> edits) throws IOException {
    byte[] copy = HEADER.clone();
    for (int[] edit : edits) {
      copy[edit[0] % copy.length] = (byte) edit[1];
    }
    readOrRefuse(copy);
  }

  @Property(tries = 1000)
  void aLengthOrCountRewrittenToAnyValueReadsOrIsRefused(@ForAll @IntRange(min = 8, max = 1_000_000) int at, @ForAll long value) throws IOException {
    byte[] copy = HEADER.clone();
    int offset = at % (copy.length - 8);
    java.nio.ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN).putLong(offset, value);
    readOrRefuse(copy);
  }

  @Property(tries = 1000)
  void randomBytesAfterTheMagicAreRefusedOrRead(@ForAll("randomBodies") byte[] body) throws IOException {
    byte[] bytes = new byte[4 + body.length];
    System.arraycopy("GGUF".getBytes(), 0, bytes, 0, 4);
    System.arraycopy(body, 0, bytes, 4, body.length);
    readOrRefuse(bytes);
  }

  @Property(tries = 200)
  void syntheticHeadersReadBackExactly(@ForAll @IntRange(min = 1, max = 3) int version, @ForAll boolean bigEndian,
      @ForAll @IntRange(min = 1, max = 200) int blocks, @ForAll @IntRange(min = 1, max = 512) int experts, @ForAll("dims") List<Long> dims) throws Exception {
    // Shapes whose element count does not fit a long are the reader's refusals, not this property's (seen: 24060 × 54858 × 69881 × 99999).
    OptionalLong elements = elements(dims);
    Assume.that(elements.isPresent() && elements.getAsLong() <= Long.MAX_VALUE - 15);
    GgufWriter writer = new GgufWriter(version, bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN)
        .string("general.architecture", "arch_" + version).u32("arch_" + version + ".block_count", blocks)
        .u32("arch_" + version + ".expert_count", experts).u32("arch_" + version + ".expert_used_count", Math.max(1, experts / 2))
        .tensor("a", dims.stream().mapToLong(Long::longValue).toArray()).tensor("b", 3, 5);
    GgufFacts facts = GgufReader.read(new BytesChannel(writer.bytes()));
    assertThat(facts.architecture()).contains("arch_" + version);
    assertThat(facts.blockCount()).hasValue(blocks);
    assertThat(facts.expertCount()).hasValue(experts);
    assertThat(facts.expertUsedCount()).hasValue(Math.max(1, experts / 2));
    assertThat(facts.parameterCount()).hasValue(elements.getAsLong() + 15);
  }

  private static OptionalLong elements(List<Long> dims) {
    long product = 1;
    for (long dim : dims) {
      if (product > Long.MAX_VALUE / dim) {
        return OptionalLong.empty();
      }
      product *= dim;
    }
    return OptionalLong.of(product);
  }

  @Provide
  Arbitrary<List<int[]>> edits() {
    return Combinators.combine(Arbitraries.integers().between(0, Integer.MAX_VALUE), Arbitraries.integers().between(0, 255))
        .as((at, value) -> new int[] {at, value}).list().ofMinSize(1).ofMaxSize(8);
  }

  @Provide
  Arbitrary<byte[]> randomBodies() {
    return Arbitraries.bytes().array(byte[].class).ofMaxSize(4096);
  }

  @Provide
  Arbitrary<List<Long>> dims() {
    return Arbitraries.longs().between(1, 100_000).list().ofMinSize(1).ofMaxSize(GgufReader.MAX_DIMENSIONS);
  }
}
