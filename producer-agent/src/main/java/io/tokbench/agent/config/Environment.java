package io.tokbench.agent.config;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * What the agent reads from its surroundings: environment variables and the user's home. Passed
 * in rather than read from {@link System} so commands can be run in-process by tests.
 */
public record Environment(Map<String, String> variables, Path home) {
  public Environment {
    variables = Map.copyOf(variables);
  }

  public static Environment system() {
    return new Environment(System.getenv(), Path.of(System.getProperty("user.home")));
  }

  public Optional<String> get(String name) {
    String value = variables.get(name);
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(value);
  }

  /**
   * The agent's config directory: {@code $TOKBENCH_CONFIG_DIR}, else {@code $XDG_CONFIG_HOME/tokbench},
   * else {@code ~/.config/tokbench}. It holds the config file, the rig id and the spool.
   */
  public Path configDir() {
    return get("TOKBENCH_CONFIG_DIR")
        .map(Path::of)
        .or(() -> get("XDG_CONFIG_HOME").map(dir -> Path.of(dir, "tokbench")))
        .orElse(home.resolve(".config").resolve("tokbench"));
  }
}
