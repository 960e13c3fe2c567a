package io.tokbench.agent.gguf;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes GGUF headers as ggml-org/ggml docs/gguf.md lays them out, written from the spec for the
 * tests: the reader's code is not used. Version 1 writes 32-bit counts and lengths, 2 and 3 64-bit.
 */
final class GgufWriter {
  private final int version;
  private final ByteOrder order;
  private final List<byte[]> pairs = new ArrayList<>();
  private final List<byte[]> tensors = new ArrayList<>();

  GgufWriter(int version, ByteOrder order) {
    this.version = version;
    this.order = order;
  }

  GgufWriter string(String key, String value) {
    pairs.add(concat(str(key), u32(8), str(value)));
    return this;
  }

  GgufWriter u32(String key, long value) {
    pairs.add(concat(str(key), u32(4), u32(value)));
    return this;
  }

  GgufWriter u64(String key, long value) {
    pairs.add(concat(str(key), u32(10), u64(value)));
    return this;
  }

  GgufWriter f32(String key, float value) {
    pairs.add(concat(str(key), u32(6), buffer(4).putFloat(value).array()));
    return this;
  }

  GgufWriter strings(String key, List<String> values) {
    List<byte[]> parts = new ArrayList<>(List.of(str(key), u32(9), u32(8), length(values.size())));
    values.forEach(v -> parts.add(str(v)));
    pairs.add(concat(parts.toArray(byte[][]::new)));
    return this;
  }

  GgufWriter ints(String key, int[] values) {
    List<byte[]> parts = new ArrayList<>(List.of(str(key), u32(9), u32(5), length(values.length)));
    for (int v : values) {
      parts.add(buffer(4).putInt(v).array());
    }
    pairs.add(concat(parts.toArray(byte[][]::new)));
    return this;
  }

  /** A tensor info: name, dimensions, type (ggml type id) and data offset. */
  GgufWriter tensor(String name, long... dims) {
    List<byte[]> parts = new ArrayList<>(List.of(str(name), u32(dims.length)));
    for (long d : dims) {
      parts.add(u64(d));
    }
    parts.add(u32(8)); // Q8_0
    parts.add(u64(0));
    tensors.add(concat(parts.toArray(byte[][]::new)));
    return this;
  }

  byte[] bytes() {
    List<byte[]> parts = new ArrayList<>();
    parts.add("GGUF".getBytes(StandardCharsets.US_ASCII));
    parts.add(u32(version));
    parts.add(length(tensors.size()));
    parts.add(length(pairs.size()));
    parts.addAll(pairs);
    parts.addAll(tensors);
    return concat(parts.toArray(byte[][]::new));
  }

  private byte[] str(String s) {
    byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
    return concat(length(utf8.length), utf8);
  }

  private byte[] length(long n) {
    return version == 1 ? u32(n) : u64(n);
  }

  private byte[] u32(long v) {
    return buffer(4).putInt((int) v).array();
  }

  private byte[] u64(long v) {
    return buffer(8).putLong(v).array();
  }

  private ByteBuffer buffer(int n) {
    return ByteBuffer.allocate(n).order(order);
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
