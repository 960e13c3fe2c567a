package io.tokbench.agent.fakes;

import io.tokbench.agent.detect.HostProbe;
import io.tokbench.agent.detect.NvidiaSmi;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A machine replayed from recorded tool outputs (src/test/resources/detect, see SOURCES.md). */
public final class RecordedHost implements HostProbe {
  private final Map<List<String>, String> commands = new HashMap<>();
  private final Map<Path, String> files = new HashMap<>();
  private final Map<String, String> properties = new HashMap<>();
  private final List<List<String>> ran = new java.util.concurrent.CopyOnWriteArrayList<>();

  public RecordedHost command(List<String> command, String output) {
    commands.put(command, output);
    return this;
  }

  public RecordedHost file(String path, String content) {
    files.put(Path.of(path), content);
    return this;
  }

  public RecordedHost property(String name, String value) {
    properties.put(name, value);
    return this;
  }

  /** A Linux box with one RTX 4090, a Ryzen 9 7950X and Ubuntu 24.04. */
  public static RecordedHost linuxRtx4090() {
    return new RecordedHost()
        .command(NvidiaSmi.QUERY, FakeHttpServer.resource("/detect/nvidia-smi-single-4090.csv"))
        .command(NvidiaSmi.POWER_QUERY, "351.20\n")
        .file("/proc/cpuinfo", FakeHttpServer.resource("/detect/cpuinfo-ryzen.txt"))
        .file("/proc/meminfo", FakeHttpServer.resource("/detect/meminfo.txt"))
        .file("/etc/os-release", FakeHttpServer.resource("/detect/os-release-ubuntu.txt"))
        .property("os.name", "Linux")
        .property("os.arch", "amd64")
        .property("os.version", "6.8.0-45-generic");
  }

  /** The same box without a GPU, as the CPU build of llama.cpp the tests run uses it. */
  public static RecordedHost linuxCpuOnly() {
    return new RecordedHost()
        .file("/proc/cpuinfo", FakeHttpServer.resource("/detect/cpuinfo-ryzen.txt"))
        .file("/proc/meminfo", FakeHttpServer.resource("/detect/meminfo.txt"))
        .file("/etc/os-release", FakeHttpServer.resource("/detect/os-release-ubuntu.txt"))
        .property("os.name", "Linux")
        .property("os.arch", "amd64")
        .property("os.version", "6.8.0-45-generic");
  }

  @Override
  public Optional<String> run(List<String> command) {
    ran.add(command);
    return Optional.ofNullable(commands.get(command));
  }

  /** Commands the detector ran, in order. */
  public List<List<String>> ran() {
    return ran;
  }

  /** Everything this host could tell the detector, for privacy checks. */
  public String everythingItAnswers() {
    return String.join("\n", commands.values()) + "\n" + String.join("\n", files.values()) + "\n" + String.join("\n", properties.values());
  }

  @Override
  public Optional<String> read(Path file) {
    return Optional.ofNullable(files.get(file));
  }

  @Override
  public String property(String name) {
    return properties.getOrDefault(name, "");
  }
}
