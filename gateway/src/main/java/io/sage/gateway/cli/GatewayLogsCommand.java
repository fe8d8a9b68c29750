package io.sage.gateway.cli;

import io.sage.gateway.wiring.GatewayPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sage gateway logs [-n N] [-f]}. */
@Command(
    name = "logs",
    mixinStandardHelpOptions = true,
    description = {
      "Show the gateway's log (<data-dir>/logs/gateway.log, rotated by size).",
      "-f follows it through the running gateway's log API: every new line once, in order."
    },
    footer = {"", "Examples:", "  sage gateway logs -n 100", "  sage gateway logs -f"})
final class GatewayLogsCommand implements Callable<Integer> {
  @picocli.CommandLine.Mixin ClientOptions client;

  @Option(
      names = {"-n", "--lines"},
      description = "Lines to show (default 50).")
  int lines = 50;

  @Option(
      names = {"-f", "--follow"},
      description = "Keep printing new lines until Ctrl-C (needs the gateway running).")
  boolean follow;

  @Override
  public Integer call() {
    if (lines < 1 || lines > 10000) {
      throw new CliException(SageCli.USAGE, "-n must be between 1 and 10000");
    }
    if (follow) {
      LogFollow.stream(client, "/v1/management/gateway/logs?tail=" + lines + "&follow=true");
      return SageCli.OK;
    }
    Path log = GatewayPaths.logFile(client.dataDir());
    if (!Files.exists(log)) {
      throw new CliException(SageCli.FAILED, "no gateway log at " + log);
    }
    GatewayProcesses.tail(log, lines).forEach(client.out()::println);
    client.out().flush();
    return SageCli.OK;
  }
}
