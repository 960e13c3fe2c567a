package io.tokbench.aggregator.app;

import io.tokbench.aggregator.topology.Topics;
import io.tokbench.aggregator.validate.Rejection;
import io.tokbench.schema.RejectedReport;
import io.tokbench.serde.AvroSerializer;
import io.tokbench.serde.ForPeople;
import io.tokbench.serde.WireFormatException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last guard: whatever exception a step throws on a record, the record goes to the rejected
 * topic as {@code PROCESSING_FAILED}, with the step's name and its source bytes, and the stream goes
 * on. Only an unreachable registry fails the thread (not the record's fault: skipping would lose
 * it; the thread is replaced with back-off and retries from the last commit).
 */
public final class RejectFailedRecordHandler implements ProcessingExceptionHandler {
  /** Config key under which the aggregator passes its metrics object to this handler. */
  public static final String METRICS_CONFIG = "tokbench.metrics";
  private static final Logger log = LoggerFactory.getLogger(RejectFailedRecordHandler.class);

  private AvroSerializer<RejectedReport> serializer;
  private AggregatorMetrics metrics;

  @Override
  public void configure(Map<String, ?> configs) {
    serializer = new AvroSerializer<>();
    serializer.configure(configs, false);
    Object given = configs.get(METRICS_CONFIG);
    metrics = given instanceof AggregatorMetrics m ? m : new AggregatorMetrics();
  }

  @Override
  public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
    if (exception instanceof WireFormatException wire && wire.reason() == WireFormatException.Reason.REGISTRY_UNAVAILABLE) {
      return Response.fail();
    }
    log.error("Step {} failed on {}[{}]@{}; the record goes to {}", context.processorNodeId(), context.topic(), context.partition(), context.offset(),
        Topics.REJECTED, exception);
    RejectedReport rejected = RejectedReport.newBuilder()
        .setReasonCode(Rejection.PROCESSING_FAILED)
        .setMessage("the aggregator's " + context.processorNodeId() + " step failed on this record (" + ForPeople.describe(exception)
            + "); it is kept here for replay once fixed")
        .setOriginalKey(context.sourceRawKey() == null ? null : ByteBuffer.wrap(context.sourceRawKey()))
        .setOriginalValue(context.sourceRawValue() == null ? null : ByteBuffer.wrap(context.sourceRawValue()))
        .setSourceTopic(context.topic() == null ? "" : context.topic())
        .setSourcePartition(context.partition())
        .setSourceOffset(context.offset())
        .setRejectedAt(Instant.now())
        .build();
    byte[] value;
    try {
      value = serializer.serialize(Topics.REJECTED, rejected);
    } catch (RuntimeException e) {
      log.error("Cannot write the failed record to {}; failing the thread so it is retried", Topics.REJECTED, e);
      return Response.fail();
    }
    metrics.rejected(Rejection.PROCESSING_FAILED);
    return Response.resume(List.of(new ProducerRecord<>(Topics.REJECTED, context.sourceRawKey(), value)));
  }
}
