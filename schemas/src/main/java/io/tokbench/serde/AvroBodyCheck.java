package io.tokbench.serde;

import java.util.List;
import org.apache.avro.Schema;

/**
 * Walks an Avro binary body against its writer schema before anything is decoded, allocating
 * nothing. Avro's decoder trusts declared lengths: a 5-byte body whose string or array length
 * claims 2 GB makes it allocate 2 GB before it finds the bytes missing. After this walk every
 * declared length fits in the bytes present, every block holds no more items than the body has
 * bytes, unions and enums index existing branches, nesting stays shallow and nothing trails the
 * record, so decoding allocates at most a small multiple of the payload.
 */
final class AvroBodyCheck {
  /** Deeper than any schema of the contract; a recursive writer schema cannot nest without end. */
  static final int MAX_DEPTH = 32;

  private final byte[] buffer;
  private final int end;
  private final String[] path = new String[MAX_DEPTH + 1];
  private int pathLength;
  private int position;
  private long itemBudget;

  private AvroBodyCheck(byte[] buffer, int offset, int length) {
    this.buffer = buffer;
    this.position = offset;
    this.end = offset + length;
    // Every item of a collection takes at least a byte in the schemas we accept, but a writer
    // schema may declare items of zero bytes (null); they still may not outnumber the bytes.
    this.itemBudget = length + 16L;
  }

  /** Throws {@link WireFormatException} with a message a person can act on when the body is not sound. */
  static void check(Schema writer, byte[] payload, int offset, int length) {
    AvroBodyCheck check = new AvroBodyCheck(payload, offset, length);
    check.value(writer, 0);
    if (check.position != check.end) {
      throw check.problem((check.end - check.position) + " bytes follow the end of the record");
    }
  }

  private void value(Schema schema, int depth) {
    if (depth > MAX_DEPTH) {
      throw problem("nesting deeper than " + MAX_DEPTH + " levels");
    }
    switch (schema.getType()) {
      case NULL -> { }
      case BOOLEAN -> skip(1, "a boolean");
      case INT -> readInt();
      case LONG -> readLong();
      case FLOAT -> skip(4, "a float");
      case DOUBLE -> skip(8, "a double");
      case STRING, BYTES -> skip(length(schema.getType() == Schema.Type.STRING ? "a string" : "a byte string"), "its bytes");
      case FIXED -> skip(schema.getFixedSize(), "a fixed of " + schema.getFixedSize() + " bytes");
      case ENUM -> index(schema.getEnumSymbols().size(), "enum " + schema.getName());
      case UNION -> {
        List<Schema> branches = schema.getTypes();
        value(branches.get(index(branches.size(), "union")), depth + 1);
      }
      case ARRAY -> blocks(schema.getElementType(), false, depth);
      case MAP -> blocks(schema.getValueType(), true, depth);
      case RECORD -> {
        pathLength++;
        for (Schema.Field field : schema.getFields()) {
          path[pathLength - 1] = field.name();
          value(field.schema(), depth + 1);
        }
        pathLength--;
      }
    }
  }

  private void blocks(Schema items, boolean isMap, int depth) {
    while (true) {
      long count = readLong();
      if (count == 0) {
        return;
      }
      if (count < 0) {
        if (count == Long.MIN_VALUE) {
          throw problem("a block count out of range");
        }
        count = -count;
        long size = readLong();
        if (size < 0 || size > end - position) {
          throw problem("a block declares " + size + " bytes but " + (end - position) + " remain");
        }
      }
      itemBudget -= count;
      if (itemBudget < 0) {
        throw problem((isMap ? "a map" : "an array") + " declares " + count + " items, more than the body has bytes");
      }
      for (long i = 0; i < count; i++) {
        if (isMap) {
          skip(length("a map key"), "its bytes");
        }
        value(items, depth + 1);
      }
    }
  }

  private int index(int size, String what) {
    int index = readInt();
    if (index < 0 || index >= size) {
      throw problem(what + " index " + index + " is not one of its " + size + " choices");
    }
    return index;
  }

  private long length(String what) {
    long length = readLong();
    if (length < 0 || length > end - position) {
      throw problem(what + " declares " + length + " bytes but " + (end - position) + " remain");
    }
    return length;
  }

  private void skip(long bytes, String what) {
    if (bytes > end - position) {
      throw problem("the body ends inside " + what);
    }
    position += (int) bytes;
  }

  private int readInt() {
    long value = readVarint(5);
    if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
      throw problem("an int out of range");
    }
    return (int) value;
  }

  private long readLong() {
    return readVarint(10);
  }

  /** Zig-zag varint, as Avro writes ints and longs. */
  private long readVarint(int maxBytes) {
    long raw = 0;
    for (int i = 0; i < maxBytes; i++) {
      if (position >= end) {
        throw problem("the body ends inside a number");
      }
      int b = buffer[position++] & 0xff;
      raw |= (long) (b & 0x7f) << (7 * i);
      if ((b & 0x80) == 0) {
        return (raw >>> 1) ^ -(raw & 1);
      }
    }
    throw problem("a number longer than " + maxBytes + " bytes");
  }

  private WireFormatException problem(String what) {
    StringBuilder at = new StringBuilder();
    for (int i = 0; i < pathLength; i++) {
      at.append(i == 0 ? "" : ".").append(path[i]);
    }
    String where = at.length() == 0 ? "" : " (at " + at + ")";
    return new WireFormatException(WireFormatException.Reason.UNDECODABLE_BODY, "the Avro body is malformed: " + what + where);
  }
}
