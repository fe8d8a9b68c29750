package io.sage.gateway.cli;

import io.sage.client.management.EngineInfo;
import io.sage.client.management.ManagementClient;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sage llm engine restart}: start a STOPPED or ERROR engine again (same id) and follow it
 * like start.
 */
@Command(
    name = "restart",
    mixinStandardHelpOptions = true,
    description = {
      "Start a STOPPED or ERROR engine again under the same id and wait until it is READY.",
      "Ctrl-C stops the waiting, not the engine."
    },
    footer = {
      "",
      "Examples:",
      "  sage llm engine restart eng-0123456789ab",
      "  sage llm engine restart eng-0123456789ab --no-wait"
    })
final class EngineRestartCommand implements Callable<Integer> {
  @Mixin ClientOptions client;

  @Parameters(paramLabel = "ID", description = "Engine id.")
  String id;

  @Option(names = "--no-wait", description = "Return once the restart is accepted (STARTING).")
  boolean noWait;

  @Option(
      names = "--timeout",
      paramLabel = "S",
      description = "Seconds to wait for READY (default 1800).")
  long timeoutSeconds = 1800;

  @Override
  public Integer call() throws InterruptedException {
    ManagementClient management = client.management();
    EngineInfo restarted = client.call(() -> management.restart(id));
    return EngineStartCommand.follow(
        client, management, restarted, noWait, Duration.ofSeconds(timeoutSeconds), "restarted");
  }
}
