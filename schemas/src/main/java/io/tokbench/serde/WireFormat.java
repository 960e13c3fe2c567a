package io.tokbench.serde;

import java.nio.ByteBuffer;

/**
 * Confluent's wire format: magic byte 0, the writer schema's registry id as a 4-byte big-endian
 * int, then the Avro binary body.
 */
public final class WireFormat {
  public static final byte MAGIC_BYTE = 0;
  public static final int HEADER_SIZE = 5;

  private WireFormat() {}

  /** The writer schema id from a framed payload; throws when the payload is not framed. */
  public static int schemaId(byte[] payload) {
    if (payload == null || payload.length < HEADER_SIZE) {
      throw new WireFormatException(
          WireFormatException.Reason.NOT_WIRE_FORMAT,
          "payload of " + (payload == null ? 0 : payload.length) + " bytes is shorter than the 5-byte Confluent wire-format header");
    }
    if (payload[0] != MAGIC_BYTE) {
      throw new WireFormatException(
          WireFormatException.Reason.NOT_WIRE_FORMAT,
          String.format("unknown magic byte 0x%02x: expected 0x00 (Confluent wire format)", payload[0]));
    }
    return ByteBuffer.wrap(payload, 1, 4).getInt();
  }

  /** Writes the 5-byte header for a schema id into the first bytes of a buffer. */
  static void writeHeader(ByteBuffer buffer, int schemaId) {
    buffer.put(MAGIC_BYTE).putInt(schemaId);
  }
}
