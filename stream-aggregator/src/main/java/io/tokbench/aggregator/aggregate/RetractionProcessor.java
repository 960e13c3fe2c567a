package io.tokbench.aggregator.aggregate;

import io.tokbench.aggregator.state.ContributionEvent;
import io.tokbench.schema.Retraction;
import io.tokbench.serde.ForPeople;
import io.tokbench.serde.WireFormatException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a retraction (or the lifting of one) into contribution events. The partitioner sends them
 * to every partition: a rig's reports may sit under any model, and only the task holding a report
 * knows it; every task also remembers the retraction, so the rig's or report's later reports are
 * refused wherever they land.
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
    } catch (RuntimeException e) {
      log.warn("Ignoring an undecodable retraction: {}", ForPeople.describe(e));
      return;
    }
    if (retraction == null || (retraction.getRigId() == null && retraction.getReportId() == null)) {
      log.warn("Ignoring a retraction that names neither a rig nor a report");
      return;
    }
    if (retraction.getRigId() != null) {
      forward(record, ContributionEvent.newBuilder().setRigId(retraction.getRigId().toString()).setRetractRig(true), retraction);
    }
    if (retraction.getReportId() != null) {
      forward(record, ContributionEvent.newBuilder().setRetractReportId(retraction.getReportId().toString()), retraction);
    }
  }

  private void forward(Record<byte[], byte[]> record, ContributionEvent.Builder event, Retraction retraction) {
    context().forward(record.withKey("").withValue(event.setLift(retraction.getLifted()).setReason(retraction.getReason()).build()));
  }
}
