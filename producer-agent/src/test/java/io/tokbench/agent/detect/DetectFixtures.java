package io.tokbench.agent.detect;

import io.tokbench.agent.fakes.FakeHttpServer;
import io.tokbench.catalog.GpuSpec;

/** The recorded tool outputs under /detect (see SOURCES.md) and what the detection tests ask of a GPU. */
final class DetectFixtures {
  static final long MIB = 1024L * 1024L;

  private DetectFixtures() {}

  static String fixture(String name) {
    return FakeHttpServer.resource("/detect/" + name);
  }

  static String canonicalId(DetectedGpu gpu) {
    return gpu.spec().map(GpuSpec::id).orElse(null);
  }
}
