package io.tokbench.aggregator.aggregate;

import io.tokbench.aggregator.state.ContributionEvent;
import io.tokbench.schema.Retraction;
import io.tokbench.serde.WireFormatException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a retraction request into a contribution event. The partitioner sends it to every
 * partition: a rig's reports may sit under any model, and only the task holding a report knows it.
 */
public final class RetractionProcessor extends ContextualProcessor<byte[], byte[], String, ContributionEvent> {
  private static final Logger log = LoggerFactory.getLogger(RetractionProcessor.class);
  private final Deserializer<Retraction> deserializer;

  public RetractionProcessor(Deserializer<Retraction> deserializer) {
    this.deserializer = deserializer;
  }

  @Override
  public void process(Record<byte[], byte[]> record) {
    Retraction retraction;
    try {
      retraction = deserializer.deserialize(context().recordMetadata().map(m -> m.topic()).orElse("?"), record.value());
    } catch (WireFormatException e) {
      if (e.reason() == WireFormatException.Reason.REGISTRY_UNAVAILABLE) {
        throw e;
      }
      log.warn("Ignoring an undecodable retraction: {}", e.getMessage());
      return;
    }
    if (retraction == null || (retraction.getRigId() == null && retraction.getReportId() == null)) {
      log.warn("Ignoring a retraction that names neither a rig nor a report");
      return;
    }
    ContributionEvent event = ContributionEvent.newBuilder()
        .setRigId(retraction.getRigId() == null ? null : retraction.getRigId().toString())
        .setRetractRig(retraction.getRigId() != null)
        .setRetractReportId(retraction.getRigId() == null ? retraction.getReportId().toString() : null)
        .build();
    context().forward(record.withKey("").withValue(event));
    if (retraction.getRigId() != null && retraction.getReportId() != null) {
      context().forward(record.withKey("").withValue(ContributionEvent.newBuilder().setRetractReportId(retraction.getReportId().toString()).build()));
    }
  }
}
