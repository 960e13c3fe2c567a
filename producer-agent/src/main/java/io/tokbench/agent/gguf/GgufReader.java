package io.tokbench.agent.gguf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * Reads the metadata and tensor infos of a GGUF file (ggml-org/ggml docs/gguf.md): magic "GGUF",
 * a version (1 counts lengths in 32 bits, 2 and 3 in 64), the tensor and key/value counts, the
 * key/value pairs, then one info per tensor (name, dimensions, type, offset). The tensor data is
 * never read.
 *
 * <p>The file is untrusted: every length is checked against the bytes the file still has before
 * anything is skipped or allocated, strings that are kept are short, nesting is bounded, and no
 * more than {@link #MAX_HEADER_BYTES} are read, so a corrupt or hostile file costs at most that
 * much reading and ends in a {@link GgufFormatException}, never in a runaway allocation or loop.
 */
public final class GgufReader {
  /** Real headers hold the tokenizer's vocabulary: a few MB; 256 MiB is far beyond any. */
  public static final long MAX_HEADER_BYTES = 256L * 1024 * 1024;
  /** ggml tensors have at most 4 dimensions (GGML_MAX_DIMS). */
  static final int MAX_DIMENSIONS = 4;
  /** The spec allows arrays of arrays; nothing real nests deeper than this. */
  static final int MAX_NESTING = 4;
  /** Only short strings are kept (the architecture name); longer ones are skipped. */
  static final int MAX_KEPT_STRING = 256;
  private static final int MAGIC = 0x46554747; // "GGUF" read as a little-endian uint32
  private static final Pattern ARCHITECTURE_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

  private static final int UINT8 = 0, INT8 = 1, UINT16 = 2, INT16 = 3, UINT32 = 4, INT32 = 5, FLOAT32 = 6, BOOL = 7, STRING = 8,
      ARRAY = 9, UINT64 = 10, INT64 = 11, FLOAT64 = 12;

  private final Input in;
  private boolean wideLengths;

  private GgufReader(SeekableByteChannel channel) throws IOException {
    this.in = new Input(channel);
  }

  /** The facts in a file's header. */
  public static GgufFacts read(Path file) throws IOException, GgufFormatException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      return read(channel);
    }
  }

  /** The facts in a header read from the channel's start. */
  public static GgufFacts read(SeekableByteChannel channel) throws IOException, GgufFormatException {
    return new GgufReader(channel).facts();
  }

  private GgufFacts facts() throws IOException, GgufFormatException {
    int magic = in.int32();
    if (magic != MAGIC) {
      throw new GgufFormatException("not a GGUF file (no GGUF magic)");
    }
    long version = in.uint32();
    if (version > 0xffff && Integer.reverseBytes((int) version) >= 1 && Integer.reverseBytes((int) version) <= 3) {
      in.order(ByteOrder.BIG_ENDIAN); // a big-endian GGUF: the version reads byte-swapped
      version = Integer.reverseBytes((int) version);
    }
    if (version < 1 || version > 3) {
      throw new GgufFormatException("GGUF version " + version + " is not one this reader knows (1 to 3)");
    }
    wideLengths = version >= 2;
    long tensors = count("tensor count", 8 + 4 + 4 + 8); // name length, dims, type, offset: at least 24 bytes each
    long pairs = count("key/value count", 8 + 4);

    Map<String, Long> integers = new HashMap<>();
    String architecture = null;
    for (long i = 0; i < pairs; i++) {
      String key = keptString("a key", 65_536).orElseThrow(() -> new GgufFormatException("a key longer than 64 KiB"));
      int type = in.int32();
      if (type == STRING) {
        Optional<String> value = keptString("the value of " + key, MAX_KEPT_STRING);
        if (key.equals("general.architecture") && value.isPresent() && ARCHITECTURE_NAME.matcher(value.get()).matches()) {
          architecture = value.get();
        }
      } else if (isInteger(type)) {
        integers.put(key, integer(type));
      } else {
        skipValue(type, 0);
      }
    }
    long parameters = 0;
    for (long i = 0; i < tensors; i++) {
      skipString("a tensor name");
      long dimensions = in.uint32();
      if (dimensions > MAX_DIMENSIONS) {
        throw new GgufFormatException("a tensor with " + dimensions + " dimensions (ggml has at most " + MAX_DIMENSIONS + ")");
      }
      long elements = 1;
      for (int d = 0; d < dimensions; d++) {
        long size = in.int64();
        if (size < 0) {
          throw new GgufFormatException("a tensor dimension of " + Long.toUnsignedString(size));
        }
        elements = multiply(elements, size);
      }
      in.skip(4 + 8); // type, data offset
      parameters = add(parameters, elements);
    }
    String prefix = architecture == null ? null : architecture + ".";
    return new GgufFacts(
        Optional.ofNullable(architecture),
        tensors > 0 ? OptionalLong.of(parameters) : OptionalLong.empty(),
        Optional.ofNullable(integers.get("general.file_type")).flatMap(FileTypes::name),
        positive(integers, prefix, "block_count"),
        positive(integers, prefix, "context_length"),
        positive(integers, prefix, "embedding_length"),
        positive(integers, prefix, "attention.head_count"),
        positive(integers, prefix, "attention.head_count_kv"),
        positive(integers, prefix, "attention.key_length"),
        positive(integers, prefix, "expert_count"),
        positive(integers, prefix, "expert_used_count"));
  }

  /** A key of the model's architecture, when it is a positive int (an unsigned 64-bit value above that is no real shape). */
  private static OptionalInt positive(Map<String, Long> integers, String prefix, String key) {
    Long value = prefix == null ? null : integers.get(prefix + key);
    return value != null && value > 0 && value <= Integer.MAX_VALUE ? OptionalInt.of(value.intValue()) : OptionalInt.empty();
  }

  /** A count of items each at least {@code minBytes} long, which the rest of the file must be able to hold. */
  private long count(String what, int minBytes) throws IOException, GgufFormatException {
    long n = wideLengths ? in.int64() : in.uint32();
    if (n < 0 || n > in.remaining() / minBytes) {
      throw new GgufFormatException(what + " " + Long.toUnsignedString(n) + " is more than the file can hold");
    }
    return n;
  }

  private long length(String what) throws IOException, GgufFormatException {
    long n = wideLengths ? in.int64() : in.uint32();
    if (n < 0 || n > in.remaining()) {
      throw new GgufFormatException("the length of " + what + " (" + Long.toUnsignedString(n) + " bytes) runs past the end of the file");
    }
    return n;
  }

  /** A string if it is at most {@code max} bytes, else skipped and empty. */
  private Optional<String> keptString(String what, int max) throws IOException, GgufFormatException {
    long n = length(what);
    if (n > max) {
      in.skip(n);
      return Optional.empty();
    }
    return Optional.of(new String(in.bytes((int) n), StandardCharsets.UTF_8));
  }

  private void skipString(String what) throws IOException, GgufFormatException {
    in.skip(length(what));
  }

  private static boolean isInteger(int type) {
    return type == UINT8 || type == INT8 || type == UINT16 || type == INT16 || type == UINT32 || type == INT32 || type == UINT64 || type == INT64;
  }

  /** An integer value; a uint64 above 2^63 reads negative, which no shape is. */
  private long integer(int type) throws IOException, GgufFormatException {
    return switch (type) {
      case UINT8 -> in.bytes(1)[0] & 0xff;
      case INT8 -> in.bytes(1)[0];
      case UINT16 -> in.int16() & 0xffff;
      case INT16 -> in.int16();
      case UINT32 -> in.uint32();
      case INT32 -> in.int32();
      default -> in.int64();
    };
  }

  private void skipValue(int type, int depth) throws IOException, GgufFormatException {
    int size = fixedSize(type);
    if (size > 0) {
      in.skip(size);
    } else if (type == STRING) {
      skipString("a string value");
    } else if (type == ARRAY) {
      if (depth >= MAX_NESTING) {
        throw new GgufFormatException("arrays nested more than " + MAX_NESTING + " deep");
      }
      int elementType = in.int32();
      int elementSize = fixedSize(elementType);
      if (elementSize > 0) {
        long n = count("an array", elementSize);
        in.skip(n * elementSize);
      } else if (elementType == STRING || elementType == ARRAY) {
        long n = count("an array", elementType == STRING ? (wideLengths ? 8 : 4) : 4 + (wideLengths ? 8 : 4));
        for (long i = 0; i < n; i++) {
          skipValue(elementType, depth + 1);
        }
      } else {
        throw new GgufFormatException("an array of unknown value type " + elementType);
      }
    } else {
      throw new GgufFormatException("unknown value type " + type);
    }
  }

  private static int fixedSize(int type) {
    return switch (type) {
      case UINT8, INT8, BOOL -> 1;
      case UINT16, INT16 -> 2;
      case UINT32, INT32, FLOAT32 -> 4;
      case UINT64, INT64, FLOAT64 -> 8;
      default -> 0;
    };
  }

  private static long multiply(long a, long b) throws GgufFormatException {
    try {
      return Math.multiplyExact(a, b);
    } catch (ArithmeticException e) {
      throw new GgufFormatException("a tensor with more than 2^63 elements");
    }
  }

  private static long add(long a, long b) throws GgufFormatException {
    try {
      return Math.addExact(a, b);
    } catch (ArithmeticException e) {
      throw new GgufFormatException("more than 2^63 parameters");
    }
  }

  /** Buffered reads from the channel, never past its end nor past {@link #MAX_HEADER_BYTES}. */
  private static final class Input {
    private final SeekableByteChannel channel;
    private final long size;
    private final ByteBuffer buffer = ByteBuffer.allocate(64 * 1024).order(ByteOrder.LITTLE_ENDIAN);
    private long bufferStart;

    Input(SeekableByteChannel channel) throws IOException {
      this.channel = channel;
      this.size = channel.size();
      buffer.limit(0);
    }

    void order(ByteOrder order) {
      buffer.order(order);
    }

    long position() {
      return bufferStart + buffer.position();
    }

    long remaining() {
      return Math.min(size, MAX_HEADER_BYTES) - position();
    }

    private void need(int n) throws IOException, GgufFormatException {
      if (n > remaining()) {
        throw new GgufFormatException(position() >= MAX_HEADER_BYTES ? "a header larger than " + MAX_HEADER_BYTES / (1024 * 1024) + " MiB"
            : "the file ends inside its header (at byte " + position() + " of " + size + ")");
      }
      if (buffer.remaining() >= n) {
        return;
      }
      long at = position();
      buffer.clear();
      channel.position(at);
      bufferStart = at;
      while (buffer.position() < n) {
        if (channel.read(buffer) < 0) {
          throw new GgufFormatException("the file ends inside its header");
        }
      }
      buffer.flip();
    }

    void skip(long n) throws IOException, GgufFormatException {
      if (n < 0 || n > remaining()) {
        throw new GgufFormatException("the header runs past the end of the file");
      }
      if (n <= buffer.remaining()) {
        buffer.position(buffer.position() + (int) n);
        return;
      }
      bufferStart = position() + n;
      buffer.limit(0);
    }

    byte[] bytes(int n) throws IOException, GgufFormatException {
      byte[] out = new byte[n];
      int done = 0;
      while (done < n) {
        int chunk = Math.min(n - done, buffer.capacity());
        need(chunk);
        buffer.get(out, done, chunk);
        done += chunk;
      }
      return out;
    }

    short int16() throws IOException, GgufFormatException {
      need(2);
      return buffer.getShort();
    }

    int int32() throws IOException, GgufFormatException {
      need(4);
      return buffer.getInt();
    }

    long uint32() throws IOException, GgufFormatException {
      return Integer.toUnsignedLong(int32());
    }

    long int64() throws IOException, GgufFormatException {
      need(8);
      return buffer.getLong();
    }
  }
}
