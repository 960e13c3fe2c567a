package io.tokbench.agent.llamacpp;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The real llama.cpp build the tests run: {@code ../shared/runtimes/llama.cpp} next to the
 * repository (its README.txt says how it was built and how its timings are defined), or the folder
 * {@code TOKBENCH_LLAMA_CPP_DIR} names.
 */
public final class LlamaCppBuild {
  public static final String DIR_VARIABLE = "TOKBENCH_LLAMA_CPP_DIR";

  private LlamaCppBuild() {}

  /** The build's folder, when it is there with its server, bench and model. */
  public static Optional<Path> home() {
    Path dir = candidate();
    return Files.isExecutable(dir.resolve("bin/llama-server")) && Files.isExecutable(dir.resolve("bin/llama-bench"))
        && Files.isRegularFile(dir.resolve("model/tiny.gguf")) ? Optional.of(dir) : Optional.empty();
  }

  /** Why the tests that need it are skipped. */
  public static String absence() {
    return "no llama.cpp build at " + candidate() + " (set " + DIR_VARIABLE + " to the folder holding bin/llama-server, bin/llama-bench "
        + "and model/tiny.gguf)";
  }

  public static Path server() {
    return home().orElseThrow().resolve("bin/llama-server");
  }

  public static Path bench() {
    return home().orElseThrow().resolve("bin/llama-bench");
  }

  /** The 27 MB random-weight llama model (Q8_0, 24.4 M parameters, trained context 8192). */
  public static Path model() {
    return home().orElseThrow().resolve("model/tiny.gguf");
  }

  private static Path candidate() {
    String configured = System.getenv(DIR_VARIABLE);
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured).toAbsolutePath();
    }
    return repositoryRoot().resolveSibling("shared").resolve("runtimes").resolve("llama.cpp");
  }

  /** The folder holding the root pom and .ci, found upwards from where the tests run. */
  private static Path repositoryRoot() {
    Path start = Path.of("").toAbsolutePath();
    for (Path dir = start; dir != null; dir = dir.getParent()) {
      if (Files.isDirectory(dir.resolve(".ci")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
        return dir;
      }
    }
    return start;
  }
}
