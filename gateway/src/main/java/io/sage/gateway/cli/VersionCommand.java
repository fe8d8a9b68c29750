package io.sage.gateway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.sage.client.SageClientException;
import io.sage.gateway.BuildInfo;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Mixin;

/**
 * {@code sage version}: this CLI's version and commit, and those of the gateway when one answers.
 */
@Command(
    name = "version",
    mixinStandardHelpOptions = true,
    description = "Print the version and git commit of this CLI and of the running gateway.",
    footer = {"", "Examples:", "  sage version", "  sage version --gateway http://10.0.0.5:8000"})
final class VersionCommand implements Callable<Integer> {
  @Mixin ClientOptions client;

  @Override
  public Integer call() {
    BuildInfo local = BuildInfo.current();
    if (client.json()) {
      JsonNode remote = remote();
      client.printJson(
          io.sage.client.GatewayTransport.mapper()
              .createObjectNode()
              .put("version", local.version())
              .put("commit", local.commit())
              .set("gateway", remote));
      return SageCli.OK;
    }
    client.out().println("cli      " + local.version() + " (commit " + local.commit() + ")");
    JsonNode remote = remote();
    if (remote == null) {
      client.out().println("gateway  not reachable at " + client.gatewayUrl());
    } else {
      client
          .out()
          .println(
              "gateway  "
                  + remote.path("version").asText()
                  + " (commit "
                  + remote.path("commit").asText()
                  + ") at "
                  + client.gatewayUrl());
    }
    client.out().flush();
    return SageCli.OK;
  }

  private JsonNode remote() {
    try {
      return client.management().raw("GET", "/version", null);
    } catch (SageClientException | IllegalArgumentException e) {
      return null;
    }
  }

  /** {@code sage --version}. */
  static final class Provider implements IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {BuildInfo.current().describe()};
    }
  }
}
