package io.tokbench.aggregator.app;

import io.tokbench.aggregator.estimate.CalibrateProcessor;
import io.tokbench.aggregator.estimate.CalibrationPoints;
import io.tokbench.aggregator.query.AdminOperations;
import io.tokbench.aggregator.topology.AggregatorTopology;
import io.tokbench.aggregator.topology.Topics;
import io.tokbench.schema.Retraction;
import io.tokbench.serde.AvroSerializer;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The admin operations, as records on the aggregator's own topics: a retraction goes to
 * tokbench.retractions like any other; a refit request is one marker per partition of the
 * calibration points, so every task refits its groups. The producer is made on first use: an
 * instance without an operator token never opens it.
 */
final class KafkaAdminOperations implements AdminOperations, AutoCloseable {
  private final Map<String, Object> clientConfig;
  private KafkaProducer<byte[], byte[]> producer;
  private AvroSerializer<Retraction> retractions;

  /** @param clientConfig bootstrap servers, registry URL and the client security settings */
  KafkaAdminOperations(Map<String, Object> clientConfig) {
    this.clientConfig = Map.copyOf(clientConfig);
  }

  @Override
  public Published retract(Retraction retraction) {
    // The topic is compacted by this key: the latest word on a rig or a report (retracted or lifted) stays.
    String key = retraction.getRigId() != null ? "rig:" + retraction.getRigId() : "report:" + retraction.getReportId();
    RecordMetadata written = await(producer().send(new ProducerRecord<>(Topics.RETRACTIONS, key.getBytes(java.nio.charset.StandardCharsets.UTF_8),
        retractionSerializer().serialize(Topics.RETRACTIONS, retraction))));
    return new Published(written.topic(), written.partition(), written.offset());
  }

  @Override
  public int recalibrate() {
    byte[] value = AggregatorTopology.POINT_SERDE.serializer().serialize(Topics.CALIBRATION_POINTS, CalibrationPoints.refitAllMarker());
    int partitions = 0;
    for (PartitionInfo partition : producer().partitionsFor(Topics.CALIBRATION_POINTS)) {
      await(producer().send(new ProducerRecord<>(Topics.CALIBRATION_POINTS, partition.partition(), CalibrateProcessor.REFIT_ALL.getBytes(java.nio.charset.StandardCharsets.UTF_8), value)));
      partitions++;
    }
    return partitions;
  }

  /** One serializer, so its registry client caches the schema id across retractions. */
  private synchronized AvroSerializer<Retraction> retractionSerializer() {
    if (retractions == null) {
      retractions = new AvroSerializer<>();
      retractions.configure(clientConfig, false);
    }
    return retractions;
  }

  private synchronized KafkaProducer<byte[], byte[]> producer() {
    if (producer == null) {
      Map<String, Object> config = new HashMap<>(clientConfig);
      config.put(ProducerConfig.ACKS_CONFIG, "all");
      config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
      producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
    }
    return producer;
  }

  private static RecordMetadata await(java.util.concurrent.Future<RecordMetadata> sent) {
    try {
      return sent.get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while writing to Kafka", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("Kafka did not take the admin record: " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized void close() {
    if (producer != null) {
      producer.close(java.time.Duration.ofSeconds(5));
    }
  }
}
