package io.tokbench.aggregator.app;

import io.tokbench.serde.WireFormatException;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A record that can never be sent (too large, unserializable) is logged and skipped so it cannot
 * stop the application; anything else (the broker or registry being away) fails as usual and the
 * thread is replaced, resuming from the last commit.
 */
public final class SkipUnsendableRecordHandler implements ProductionExceptionHandler {
  private static final Logger log = LoggerFactory.getLogger(SkipUnsendableRecordHandler.class);

  @Override
  public Response handleError(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record, Exception exception) {
    if (exception instanceof RecordTooLargeException) {
      log.error("Skipping a record too large for {} from {}: {}", record.topic(), context.processorNodeId(), exception.getMessage());
      return Response.resume();
    }
    return Response.fail();
  }

  @Override
  @SuppressWarnings("rawtypes")
  public Response handleSerializationError(ErrorHandlerContext context, ProducerRecord record, Exception exception, SerializationExceptionOrigin origin) {
    if (exception instanceof WireFormatException w && w.reason() == WireFormatException.Reason.REGISTRY_UNAVAILABLE) {
      return Response.fail(); // the registry is away: retry, never drop a row
    }
    log.error("Skipping a record that cannot be serialized for {}: {}", record.topic(), exception.getMessage());
    return Response.resume();
  }

  @Override
  public void configure(Map<String, ?> configs) {}
}
