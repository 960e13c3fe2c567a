package io.tokbench.serde;

import org.apache.kafka.common.errors.SerializationException;

/**
 * A payload that could not be turned into a record, with a machine-readable reason so a consumer
 * can route it (the aggregator's dead-letter topic uses the reason as its code).
 */
public class WireFormatException extends SerializationException {
  /** Why a payload could not be read or written. */
  public enum Reason {
    /** Too short, or the first byte is not the magic byte. */
    NOT_WIRE_FORMAT,
    /** The registry has no schema with the payload's id. */
    UNKNOWN_SCHEMA_ID,
    /** The Avro body does not decode with the writer schema, or cannot resolve to the reader's. */
    UNDECODABLE_BODY,
    /** The body decodes, but a field's value is outside its type (a uuid field that is no UUID). */
    INVALID_FIELD,
    /** The registry could not be reached or refused the request. */
    REGISTRY_UNAVAILABLE
  }

  private final Reason reason;

  public WireFormatException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public WireFormatException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
