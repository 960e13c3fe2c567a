package io.tokbench.deploy.bench;

import io.tokbench.deploy.demo.DemoFleet;
import io.tokbench.schema.BenchmarkReport;
import io.tokbench.schema.Model;
import io.tokbench.schema.OffloadClass;
import io.tokbench.normalize.Normalization;
import io.tokbench.serde.AvroSerializer;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * The reports of one scenario, serialized once as the agent would send them. They are derived from
 * one full-GPU, single-user report of the demo fleet (so every one passes validation) with the rig
 * and the model chosen by the scenario: the model decides the row, the rig how many rigs share it.
 */
final class Workload {
  /** One report to send: its record key and value bytes, and the row it lands in. */
  record Payload(byte[] key, byte[] value, String model) {}

  private final BenchmarkReport template;
  private final AvroSerializer<BenchmarkReport> serializer = new AvroSerializer<>();

  Workload(String registryUrl) {
    serializer.configure(Map.of("schema.registry.url", registryUrl), false);
    Instant recent = Instant.now().minusSeconds(60);
    this.template = new DemoFleet(42, Clock.systemUTC()).reports(60).stream()
        .filter(r -> r.getSettings().getConcurrency() == 1 && Normalization.offloadClass(r) == OffloadClass.FULL_GPU && r.getRuntime().getName().equals("ollama"))
        .findFirst().map(r -> BenchmarkReport.newBuilder(r).setMeasuredAt(recent).build()).orElseThrow();
  }

  /** {@code reports} reports spread uniformly at random over {@code keys} rows and {@code rigs} rigs. */
  List<Payload> spread(int reports, int keys, int rigs, long seed, String modelPrefix) {
    Random random = new Random(seed);
    List<UUID> rigIds = rigIds(rigs, seed);
    List<Payload> payloads = new ArrayList<>(reports);
    for (int i = 0; i < reports; i++) {
      int key = keys == reports ? i : random.nextInt(keys);
      payloads.add(payload(rigIds.get(random.nextInt(rigs)), modelPrefix + key));
    }
    return payloads;
  }

  /** One report of a rig for a model. */
  Payload payload(UUID rig, String model) {
    BenchmarkReport report = BenchmarkReport.newBuilder(template)
        .setReportId(UUID.randomUUID())
        .setRigId(rig)
        .setModel(Model.newBuilder(template.getModel()).setName(model).setDigest(null).build())
        .build();
    return new Payload(DemoFleet.key(report).getBytes(java.nio.charset.StandardCharsets.UTF_8), serializer.serialize("tokbench.reports", report), model);
  }

  static List<UUID> rigIds(int rigs, long seed) {
    Random random = new Random(seed * 31 + 7);
    List<UUID> ids = new ArrayList<>(rigs);
    for (int i = 0; i < rigs; i++) {
      ids.add(new UUID(random.nextLong(), random.nextLong()));
    }
    return ids;
  }
}
