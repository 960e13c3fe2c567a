package io.tokbench.aggregator.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokbench.aggregator.state.GpuRigPresence;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.Stores;

/**
 * A GPU's distinct rigs over partitions: after any sequence of presences from any partitions,
 * repeated ones included, the count last published per GPU is the number of rigs present in at
 * least one partition (absent when none is).
 */
class GpuRigCountPropertyTest {
  record Presence(int gpu, int rig, int partition, boolean present) {}

  @Property(tries = 300)
  void thePublishedCountIsTheNumberOfRigsPresentSomewhere(@ForAll("presences") List<Presence> presences) {
    Topology topology = new Topology();
    topology.addSource("in", new StringDeserializer(), presenceSerde().deserializer(), "presence");
    topology.addProcessor("count", () -> new GpuRigCountProcessor("membership"), "in");
    topology.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("membership"), Serdes.String(), Serdes.String()), "count");
    topology.addSink("out", "counts", new StringSerializer(), new org.apache.kafka.common.serialization.LongSerializer(), "count");
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "gpu-rig-count-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    try (TopologyTestDriver driver = new TopologyTestDriver(topology, props)) {
      var in = driver.createInputTopic("presence", new StringSerializer(), presenceSerde().serializer());
      var out = driver.createOutputTopic("counts", new StringDeserializer(), new LongDeserializer());
      Map<String, Set<String>> truth = new HashMap<>(); // gpu → "rig/partition" present
      for (Presence p : presences) {
        String gpu = "gpu-" + p.gpu();
        List<String> rigs = List.of("rig-" + p.rig());
        in.pipeInput(gpu, p.present() ? new GpuRigPresence(p.partition(), rigs, List.of()) : new GpuRigPresence(p.partition(), List.of(), rigs));
        String entry = p.rig() + "/" + p.partition();
        if (p.present()) {
          truth.computeIfAbsent(gpu, k -> new HashSet<>()).add(entry);
        } else if (truth.containsKey(gpu)) {
          truth.get(gpu).remove(entry);
        }
      }
      Map<String, Long> published = new LinkedHashMap<>();
      for (KeyValue<String, Long> kv : out.readKeyValuesToList()) {
        published.put(kv.key, kv.value);
      }
      published.values().removeIf(v -> v == null);
      Map<String, Long> expected = new TreeMap<>();
      truth.forEach((gpu, entries) -> {
        long rigs = entries.stream().map(e -> e.substring(0, e.indexOf('/'))).distinct().count();
        if (rigs > 0) {
          expected.put(gpu, rigs);
        }
      });
      assertThat(new TreeMap<>(published)).isEqualTo(expected);
    }
  }

  private static org.apache.kafka.common.serialization.Serde<GpuRigPresence> presenceSerde() {
    return new io.tokbench.aggregator.topology.StateSerde<>(GpuRigPresence.class);
  }

  @Provide
  Arbitrary<List<Presence>> presences() {
    // Few GPUs, rigs and partitions: a rig in several partitions, repeats and absences of what was never present are the cases.
    Arbitrary<Presence> presence = Combinators.combine(Arbitraries.integers().between(0, 2), Arbitraries.integers().between(0, 4),
        Arbitraries.integers().between(0, 3), Arbitraries.of(true, true, false)).as(Presence::new);
    return presence.list().ofMinSize(1).ofMaxSize(80);
  }
}
