package io.tokbench.agent.cli;

import io.tokbench.agent.config.AgentConfig;
import io.tokbench.agent.config.RigIdentity;
import io.tokbench.agent.config.Setting;
import io.tokbench.registry.client.RegistryClientConfig;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** Shows the effective configuration and where each value came from. */
@Command(
    name = "config",
    mixinStandardHelpOptions = true,
    description = {
      "Shows the effective configuration and where each value came from.",
      "",
      "A value comes from a flag, an environment variable, the config file (agent.properties in the config dir) or the "
          + "default. Secrets are masked. The config dir is $TOKBENCH_CONFIG_DIR, else $XDG_CONFIG_HOME/tokbench, else "
          + "~/.config/tokbench; it also holds the anonymous rig id and the spool."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:shown"})
final class ConfigCommand implements Callable<Integer> {
  @ParentCommand TokbenchAgent agent;
  @Mixin ConnectionOptions connection;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    AgentConfig config = connection.resolve(agent.environment);
    PrintWriter out = spec.commandLine().getOut();
    out.println("config dir : " + agent.environment.configDir());
    out.println("config file: " + config.configFile() + (java.nio.file.Files.exists(config.configFile()) ? "" : " (absent)"));
    out.println("rig id     : " + RigIdentity.load(agent.environment.configDir()));
    out.println();
    out.printf("%-26s %-36s %-8s %s%n", "setting", "value", "source", "from");
    for (Setting setting : Setting.values()) {
      config.value(setting).ifPresentOrElse(
          v -> out.printf("%-26s %-36s %-8s %s%n", setting.key(), setting.secret() ? "****" : setting == Setting.SCHEMA_REGISTRY_URL ? RegistryClientConfig.redacted(v.value()) : v.value(), v.source().name().toLowerCase(java.util.Locale.ROOT), v.origin()),
          () -> out.printf("%-26s %-36s %-8s %s%n", setting.key(), "(unset)", "-", setting.environmentVariable()));
    }
    return ExitCodes.OK;
  }
}
