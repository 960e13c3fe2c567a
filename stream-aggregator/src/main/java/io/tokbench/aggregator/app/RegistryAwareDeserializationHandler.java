package io.tokbench.aggregator.app;

import io.tokbench.serde.WireFormatException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;

/**
 * Skips records that can never be read (logged), but stops on an unreachable registry: that is
 * not the record's fault, and skipping would lose it. Reports never get here (they are read as
 * bytes and rejected as data); this guards the calibration global store and internal topics.
 */
public final class RegistryAwareDeserializationHandler extends LogAndContinueExceptionHandler {
  @Override
  public DeserializationHandlerResponse handle(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
    if (exception instanceof WireFormatException wire && wire.reason() == WireFormatException.Reason.REGISTRY_UNAVAILABLE) {
      return DeserializationHandlerResponse.FAIL;
    }
    return super.handle(context, record, exception);
  }
}
