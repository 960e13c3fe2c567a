package io.tokbench.aggregator.support;

import io.tokbench.aggregator.validate.Rejection;
import io.tokbench.registry.client.SchemaRegistryClient;
import io.tokbench.schema.Architecture;
import io.tokbench.schema.BenchmarkReport;
import io.tokbench.schema.Gpu;
import io.tokbench.schema.Hardware;
import io.tokbench.schema.Model;
import io.tokbench.schema.OperatingSystem;
import io.tokbench.schema.Runtime;
import io.tokbench.schema.Settings;
import io.tokbench.schema.Summary;
import io.tokbench.serde.WireFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Every kind of hostile contribution the aggregator must survive, each with the reason it must be
 * refused for: reports written with the normal serializer whose values lie outside their domain,
 * and raw payloads no serializer would write. Shared by the topology test and the integration test
 * on a real broker, so both hold the same list to the same verdicts.
 */
public final class HostileInputs {
  /** Subjects (one per shape) under which writer schemas a report never has are registered. */
  public static final String SHAPES_SUBJECT = "tokbench.hostile-shape-";

  /**
   * One hostile input: a report for the normal serializer, or raw value bytes.
   *
   * @param expectedReason the reason it must be refused for; null when any refusal (or acceptance
   *     of a value that turns out legal, such as zero GPU layers) is right, as long as nothing fails
   */
  public record Input(String description, BenchmarkReport report, byte[] raw, String expectedReason) {
    @Override
    public String toString() {
      return description;
    }
  }

  private HostileInputs() {}

  /** The whole list, built around a valid report measured at {@code measuredAt}. */
  public static List<Input> all(SchemaRegistryClient registry, String reportsSubject, Instant measuredAt) {
    List<Input> inputs = new ArrayList<>();
    inputs.addAll(outOfDomain(measuredAt));
    inputs.addAll(numericSweep(measuredAt));
    inputs.addAll(raw(registry, reportsSubject, measuredAt));
    return inputs;
  }

  /** A valid report (every field set) to derive hostile ones from. */
  public static BenchmarkReport valid(Instant measuredAt) {
    return TestReports.at(UUID.randomUUID(), 85, measuredAt);
  }

  /** Values outside their domain, written with the normal serializer; each refused for a known reason. */
  public static List<Input> outOfDomain(Instant at) {
    List<Input> inputs = new ArrayList<>();
    BenchmarkReport base = valid(at);
    inputs.add(report("attention head count 0 and no key length (once a divide by zero in the VRAM estimate)", base,
        r -> withArchitecture(r, Architecture.newBuilder(r.getModel().getArchitecture()).setAttentionHeadCount(0).setKeyLength(null).build()),
        Rejection.INVALID_FIELD));
    inputs.add(report("a 100 KB model name", base, r -> withModel(r, Model.newBuilder(r.getModel()).setName("m".repeat(100_000)).build()), Rejection.INVALID_FIELD));
    String unit = "\u001f";
    inputs.add(report("U+001F in model.name", base, r -> withModel(r, Model.newBuilder(r.getModel()).setName("llama" + unit + "3").build()), Rejection.INVALID_FIELD));
    inputs.add(report("U+001F in model.quantization", base, r -> withModel(r, Model.newBuilder(r.getModel()).setQuantization("Q4" + unit + "K").build()), Rejection.INVALID_FIELD));
    inputs.add(report("U+001F in runtime.name", base, r -> BenchmarkReport.newBuilder(r).setRuntime(Runtime.newBuilder(r.getRuntime()).setName("oll" + unit + "ama").build()).build(),
        Rejection.INVALID_FIELD));
    inputs.add(report("U+001F in runtime.version", base, r -> BenchmarkReport.newBuilder(r).setRuntime(Runtime.newBuilder(r.getRuntime()).setVersion("0.5" + unit).build()).build(),
        Rejection.INVALID_FIELD));
    inputs.add(report("U+001F in suiteId", base, r -> BenchmarkReport.newBuilder(r).setSuiteId("tokbench" + unit + "suite-1").build(), Rejection.INVALID_FIELD));
    inputs.add(report("U+001F in a GPU's raw name", base, r -> withGpu(r, Gpu.newBuilder(r.getHardware().getGpus().get(0)).setRawName("RTX" + unit + "4090").setCanonicalId(null).build()),
        Rejection.INVALID_FIELD));
    inputs.add(report("U+001F in a GPU's canonical id", base, r -> withGpu(r, Gpu.newBuilder(r.getHardware().getGpus().get(0)).setCanonicalId("nvidia" + unit + "x").build()),
        Rejection.INVALID_FIELD));
    inputs.add(report("U+001F in the OS name", base, r -> BenchmarkReport.newBuilder(r).setHardware(Hardware.newBuilder(r.getHardware())
        .setOs(OperatingSystem.newBuilder(r.getHardware().getOs()).setName("lin" + unit + "ux").build()).build()).build(), Rejection.INVALID_FIELD));
    inputs.add(report("a right-to-left override in the CPU model", base, r -> BenchmarkReport.newBuilder(r).setHardware(Hardware.newBuilder(r.getHardware())
        .setCpu(io.tokbench.schema.Cpu.newBuilder(r.getHardware().getCpu()).setModel("AMD \u202e Ryzen").build()).build()).build(), Rejection.INVALID_FIELD));
    inputs.add(report("NaN summary median", base, r -> withSummary(r, Summary.newBuilder(r.getSummary()).setGenerationTokensPerSecondMedian(Double.NaN).build()),
        Rejection.NON_FINITE_RATE));
    inputs.add(report("negative prompt rate", base, r -> withSummary(r, Summary.newBuilder(r.getSummary()).setPromptTokensPerSecondMedian(-5.0).build()),
        Rejection.NON_FINITE_RATE));
    inputs.add(report("a summary median of 1e300", base, r -> withSummary(r, Summary.newBuilder(r.getSummary()).setGenerationTokensPerSecondMedian(1e300).build()),
        Rejection.SUMMARY_MISMATCH));
    inputs.add(report("context length -1", base, r -> withSettings(r, Settings.newBuilder(r.getSettings()).setContextLength(-1).build()), Rejection.INVALID_FIELD));
    inputs.add(report("context length 2^31-1", base, r -> withSettings(r, Settings.newBuilder(r.getSettings()).setContextLength(Integer.MAX_VALUE).build()),
        Rejection.INVALID_FIELD));
    inputs.add(report("concurrency 0", base, r -> withSettings(r, Settings.newBuilder(r.getSettings()).setConcurrency(0).build()), Rejection.INVALID_FIELD));
    inputs.add(report("NaN offload fraction", base, r -> withSettings(r, Settings.newBuilder(r.getSettings()).setGpuOffloadFraction(Double.NaN).build()),
        Rejection.INVALID_FIELD));
    inputs.add(report("a file of 2^63-1 bytes", base, r -> withModel(r, Model.newBuilder(r.getModel()).setFileSizeBytes(Long.MAX_VALUE).build()), Rejection.INVALID_FIELD));
    inputs.add(report("zero KV heads", base, r -> withArchitecture(r, Architecture.newBuilder(r.getModel().getArchitecture()).setAttentionHeadCountKv(0).build()),
        Rejection.INVALID_FIELD));
    inputs.add(report("negative VRAM", base, r -> withGpu(r, Gpu.newBuilder(r.getHardware().getGpus().get(0)).setVramBytes(-1L).build()), Rejection.INVALID_FIELD));
    inputs.add(report("measured at the end of time", base, r -> BenchmarkReport.newBuilder(r).setMeasuredAt(Instant.ofEpochMilli(Long.MAX_VALUE)).build(),
        Rejection.FUTURE_TIMESTAMP));
    inputs.add(report("measured in 1970", base, r -> BenchmarkReport.newBuilder(r).setMeasuredAt(Instant.EPOCH).build(), Rejection.TOO_OLD));
    inputs.add(report("no repetitions", base, r -> BenchmarkReport.newBuilder(r).setRepetitions(List.of()).build(), Rejection.MISSING_FIELD));
    inputs.add(report("20,000 repetitions", base, r -> {
      List<io.tokbench.schema.Repetition> many = new ArrayList<>();
      for (int i = 0; i < 20_000; i++) {
        many.add(r.getRepetitions().get(0));
      }
      return BenchmarkReport.newBuilder(r).setRepetitions(many).build();
    }, Rejection.INVALID_FIELD));
    inputs.add(report("65 kinds of GPU", base, r -> {
      List<Gpu> many = new ArrayList<>();
      for (int i = 0; i < 65; i++) {
        many.add(r.getHardware().getGpus().get(0));
      }
      return BenchmarkReport.newBuilder(r).setHardware(Hardware.newBuilder(r.getHardware()).setGpus(many).build()).build();
    }, Rejection.INVALID_FIELD));
    return inputs;
  }

  /**
   * NaN, -1, 0 and the largest value in every numeric field of the report, nested ones included.
   * Some of these are legal (zero GPU layers, seed 0), so the verdict is "refused with a reason or
   * accepted, never a failure"; the list above pins the reasons of the telling ones.
   */
  public static List<Input> numericSweep(Instant at) {
    BenchmarkReport base = valid(at);
    List<Input> inputs = new ArrayList<>();
    for (Field field : fields(base.getSchema(), List.of()).stream().filter(Field::isNumber).toList()) {
      for (Number value : field.values()) {
        BenchmarkReport changed = field.set(base, value);
        inputs.add(new Input(field.path() + " = " + value, withNewId(changed), null, null));
      }
    }
    return inputs;
  }

  /** Payloads no serializer writes: lengths that claim gigabytes, text where a UUID belongs. */
  public static List<Input> raw(SchemaRegistryClient registry, String reportsSubject, Instant at) {
    int reportId = registry.register(reportsSubject, BenchmarkReport.getClassSchema());
    List<Input> inputs = new ArrayList<>();
    // The first field of a report is its id, a string: claim 2^31-1 bytes in a 5-byte body.
    inputs.add(new Input("a 5-byte body whose string length claims 2 GB", null,
        framed(reportId, new byte[] {(byte) 0xfe, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f}), Rejection.UNDECODABLE));
    for (String shape : List.of("{\"type\":\"array\",\"items\":\"long\"}", "{\"type\":\"map\",\"values\":\"long\"}", "\"bytes\"")) {
      Schema writer = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"Hostile\",\"namespace\":\"io.tokbench.hostile\",\"fields\":[{\"name\":\"f\",\"type\":"
          + shape + "}]}");
      int id = registry.register(SHAPES_SUBJECT + writer.getField("f").schema().getType().getName(), writer);
      inputs.add(new Input("a 5-byte body whose " + writer.getField("f").schema().getType().getName() + " length claims 2 G", null,
          framed(id, new byte[] {(byte) 0xfe, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f}), Rejection.UNDECODABLE));
    }
    BenchmarkReport base = valid(at);
    inputs.add(new Input("a reportId that is no UUID", null, framed(reportId, withText(base, "reportId", "not-a-uuid")), Rejection.INVALID_FIELD));
    inputs.add(new Input("a rigId that is no UUID", null, framed(reportId, withText(base, "rigId", "robert'); DROP TABLE rigs;--")), Rejection.INVALID_FIELD));
    inputs.add(new Input("a record of the reports' schema id cut in half", null, halfOf(framed(reportId, encode(base))), Rejection.UNDECODABLE));
    inputs.add(new Input("junk under a schema id nobody registered", null, framed(2_000_000_000, new byte[] {1, 2, 3}), Rejection.UNKNOWN_SCHEMA_ID));
    inputs.add(new Input("an empty value", null, new byte[0], Rejection.UNDECODABLE));
    return inputs;
  }

  private static byte[] halfOf(byte[] payload) {
    return java.util.Arrays.copyOf(payload, payload.length / 2);
  }

  /** The report's bytes as a generic writer would put them, with one string field replaced. */
  private static byte[] withText(BenchmarkReport report, String field, String text) {
    GenericRecord copy = toGeneric(report);
    copy.put(field, text);
    return encodeGeneric(copy);
  }

  /** The report as a plain generic record (no conversions: a uuid field takes any text). */
  private static GenericRecord toGeneric(BenchmarkReport report) {
    try {
      byte[] bytes = encode(report);
      return new org.apache.avro.generic.GenericDatumReader<GenericRecord>(report.getSchema(), report.getSchema(), new GenericData())
          .read(null, org.apache.avro.io.DecoderFactory.get().binaryDecoder(bytes, null));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] encodeGeneric(GenericRecord record) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
      new GenericDatumWriter<GenericRecord>(record.getSchema(), new GenericData()).write(record, encoder);
      encoder.flush();
      return out.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public static byte[] encode(SpecificRecord record) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
      new org.apache.avro.specific.SpecificDatumWriter<SpecificRecord>(record.getSchema()).write(record, encoder);
      encoder.flush();
      return out.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Confluent wire format: magic byte, schema id, body. */
  public static byte[] framed(int schemaId, byte[] body) {
    return ByteBuffer.allocate(WireFormat.HEADER_SIZE + body.length).put(WireFormat.MAGIC_BYTE).putInt(schemaId).put(body).array();
  }

  // ---- the numeric fields of a report, found by walking its schema ----

  /** A leaf of a report (through records, nullable unions and the first element of arrays). */
  public record Field(String path, List<Object> route, Schema.Type type) {
    public boolean isNumber() {
      return type == Schema.Type.INT || type == Schema.Type.LONG || type == Schema.Type.FLOAT || type == Schema.Type.DOUBLE;
    }

    /** -1, 0, the largest value, and NaN for floating point. */
    public List<Number> values() {
      return switch (type) {
        case INT -> List.of(-1, 0, Integer.MAX_VALUE);
        case LONG -> List.of(-1L, 0L, Long.MAX_VALUE);
        case FLOAT -> List.of(Float.NaN, -1f, 0f, Float.MAX_VALUE);
        default -> List.of(Double.NaN, -1.0, 0.0, Double.MAX_VALUE);
      };
    }

    /** A copy of the report with this leaf set; numbers are converted to the leaf's type. */
    public BenchmarkReport set(BenchmarkReport report, Object value) {
      BenchmarkReport copy = SpecificData.get().deepCopy(report.getSchema(), report);
      Object node = copy;
      for (int i = 0; i < route.size() - 1; i++) {
        Object step = route.get(i);
        node = step instanceof Integer index ? ((List<?>) node).get(index) : ((SpecificRecord) node).get(((Schema.Field) step).pos());
      }
      Schema.Field leaf = (Schema.Field) route.get(route.size() - 1);
      Object converted = value;
      if (value instanceof Number number) {
        converted = switch (type) {
          case INT -> number.intValue();
          case LONG -> number.longValue();
          case FLOAT -> number.floatValue();
          default -> number.doubleValue();
        };
        if (unionBranch(leaf.schema()).getLogicalType() != null) {
          converted = Instant.ofEpochMilli(number.longValue()); // timestamp-millis
        }
      }
      ((SpecificRecord) node).put(leaf.pos(), converted);
      return copy;
    }
  }

  /** Every numeric and text leaf of a report (text leaves with a logical type, the uuids, left out). */
  public static List<Field> fields() {
    return fields(BenchmarkReport.getClassSchema(), List.of());
  }

  private static List<Field> fields(Schema record, List<Object> route) {
    List<Field> found = new ArrayList<>();
    for (Schema.Field field : record.getFields()) {
      Schema type = unionBranch(field.schema());
      List<Object> here = new ArrayList<>(route);
      here.add(field);
      switch (type.getType()) {
        case INT, LONG, FLOAT, DOUBLE -> found.add(new Field(pathOf(here), here, type.getType()));
        case STRING -> {
          if (type.getLogicalType() == null) {
            found.add(new Field(pathOf(here), here, type.getType()));
          }
        }
        case RECORD -> found.addAll(fields(type, here));
        case ARRAY -> {
          if (type.getElementType().getType() == Schema.Type.RECORD) {
            List<Object> first = new ArrayList<>(here);
            first.add(0);
            found.addAll(fields(type.getElementType(), first));
          }
        }
        default -> { }
      }
    }
    return found;
  }

  private static Schema unionBranch(Schema schema) {
    if (schema.getType() != Schema.Type.UNION) {
      return schema;
    }
    return schema.getTypes().stream().filter(t -> t.getType() != Schema.Type.NULL).findFirst().orElse(schema);
  }

  private static String pathOf(List<Object> route) {
    StringBuilder path = new StringBuilder();
    for (Object step : route) {
      if (step instanceof Integer index) {
        path.append('[').append(index).append(']');
      } else {
        path.append(path.length() == 0 ? "" : ".").append(((Schema.Field) step).name());
      }
    }
    return path.toString();
  }

  // ---- small builders ----

  private static Input report(String description, BenchmarkReport base, UnaryOperator<BenchmarkReport> change, String reason) {
    return new Input(description, withNewId(change.apply(base)), null, reason);
  }

  private static BenchmarkReport withNewId(BenchmarkReport report) {
    return BenchmarkReport.newBuilder(report).setReportId(UUID.randomUUID()).build();
  }

  private static BenchmarkReport withModel(BenchmarkReport r, Model model) {
    return BenchmarkReport.newBuilder(r).setModel(model).build();
  }

  private static BenchmarkReport withArchitecture(BenchmarkReport r, Architecture architecture) {
    return withModel(r, Model.newBuilder(r.getModel()).setArchitecture(architecture).build());
  }

  private static BenchmarkReport withGpu(BenchmarkReport r, Gpu gpu) {
    return BenchmarkReport.newBuilder(r).setHardware(Hardware.newBuilder(r.getHardware()).setGpus(List.of(gpu)).build()).build();
  }

  private static BenchmarkReport withSettings(BenchmarkReport r, Settings settings) {
    return BenchmarkReport.newBuilder(r).setSettings(settings).build();
  }

  private static BenchmarkReport withSummary(BenchmarkReport r, Summary summary) {
    return BenchmarkReport.newBuilder(r).setSummary(summary).build();
  }
}
