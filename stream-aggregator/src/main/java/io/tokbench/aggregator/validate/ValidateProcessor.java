package io.tokbench.aggregator.validate;

import io.tokbench.aggregator.app.AggregatorMetrics;
import io.tokbench.schema.BenchmarkReport;
import io.tokbench.schema.RejectedReport;
import io.tokbench.serde.ForPeople;
import io.tokbench.serde.WireFormatException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Optional;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Decodes each raw record and validates it. Reports pass on keyed by report id; anything else
 * goes to the rejected topic with its reason and original bytes, and the stream carries on. The
 * input is read as bytes precisely so that a poison record is data here, not a crash in the
 * consumer. Only an unreachable registry is not the record's fault: that throws, and the thread
 * is replaced and retries from its last commit.
 */
public final class ValidateProcessor extends ContextualProcessor<byte[], byte[], Object, Object> {
  private final Deserializer<BenchmarkReport> deserializer;
  private final ReportValidator validator;
  private final String validChild;
  private final String rejectedChild;
  private final AggregatorMetrics metrics;

  public ValidateProcessor(Deserializer<BenchmarkReport> deserializer, ReportValidator validator, AggregatorMetrics metrics, String validChild, String rejectedChild) {
    this.deserializer = deserializer;
    this.validator = validator;
    this.metrics = metrics;
    this.validChild = validChild;
    this.rejectedChild = rejectedChild;
  }

  @Override
  public void process(Record<byte[], byte[]> record) {
    Outcome outcome = judge(record);
    if (outcome.report() == null) {
      reject(record, outcome.rejection());
      return;
    }
    metrics.accepted();
    context().forward(record.withKey((Object) outcome.report().getReportId().toString()).withValue(outcome.report()), validChild);
  }

  /** A decoded, valid report, or why there is none. */
  private record Outcome(BenchmarkReport report, Rejection rejection) {}

  private Outcome judge(Record<byte[], byte[]> record) {
    String topic = context().recordMetadata().map(RecordMetadata::topic).orElse("?");
    BenchmarkReport report;
    try {
      report = deserializer.deserialize(topic, record.value());
    } catch (WireFormatException e) {
      return switch (e.reason()) {
        case REGISTRY_UNAVAILABLE -> throw e;
        case UNKNOWN_SCHEMA_ID -> new Outcome(null, new Rejection(Rejection.UNKNOWN_SCHEMA_ID, e.getMessage()));
        case INVALID_FIELD -> new Outcome(null, new Rejection(Rejection.INVALID_FIELD, e.getMessage()));
        case NOT_WIRE_FORMAT, UNDECODABLE_BODY -> new Outcome(null, new Rejection(Rejection.UNDECODABLE, e.getMessage()));
      };
    } catch (RuntimeException | StackOverflowError e) {
      return new Outcome(null, new Rejection(Rejection.UNDECODABLE, "the report does not decode: " + ForPeople.describe(e)));
    }
    if (report == null) {
      return new Outcome(null, new Rejection(Rejection.MISSING_FIELD, "tombstone: the record has no value"));
    }
    Optional<Rejection> problem = validator.check(report, record.timestamp());
    return problem.map(rejection -> new Outcome(null, rejection)).orElseGet(() -> new Outcome(report, null));
  }

  private void reject(Record<byte[], byte[]> record, Rejection rejection) {
    metrics.rejected(rejection.reasonCode());
    RecordMetadata meta = context().recordMetadata().orElseThrow();
    RejectedReport rejected = RejectedReport.newBuilder()
        .setReasonCode(rejection.reasonCode())
        .setMessage(rejection.message())
        .setOriginalKey(record.key() == null ? null : ByteBuffer.wrap(record.key()))
        .setOriginalValue(record.value() == null ? null : ByteBuffer.wrap(record.value()))
        .setSourceTopic(meta.topic())
        .setSourcePartition(meta.partition())
        .setSourceOffset(meta.offset())
        .setRejectedAt(Instant.ofEpochMilli(context().currentSystemTimeMs()))
        .build();
    context().forward(record.withKey((Object) record.key()).withValue(rejected), rejectedChild);
  }
}
