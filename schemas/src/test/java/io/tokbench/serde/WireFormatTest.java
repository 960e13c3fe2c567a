package io.tokbench.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Confluent wire format: magic byte 0, then the schema id as a 4-byte big-endian int. */
class WireFormatTest {

  @Test
  void readsTheBigEndianSchemaId() {
    assertThat(WireFormat.schemaId(new byte[] {0, 0, 0, 1, 2, 42})).isEqualTo(258);
    assertThat(WireFormat.schemaId(new byte[] {0, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff})).isEqualTo(Integer.MAX_VALUE);
  }

  @Test
  void refusesAPayloadWithoutTheMagicByte() {
    assertThatThrownBy(() -> WireFormat.schemaId(new byte[] {'{', '"', 'a', '"', ':'}))
        .isInstanceOfSatisfying(WireFormatException.class, e -> assertThat(e.reason()).isEqualTo(WireFormatException.Reason.NOT_WIRE_FORMAT))
        .hasMessageContaining("magic byte 0x7b");
  }

  @Test
  void refusesAPayloadShorterThanTheHeader() {
    assertThatThrownBy(() -> WireFormat.schemaId(new byte[] {0, 0, 1}))
        .isInstanceOfSatisfying(WireFormatException.class, e -> assertThat(e.reason()).isEqualTo(WireFormatException.Reason.NOT_WIRE_FORMAT))
        .hasMessageContaining("3 bytes");
  }
}
