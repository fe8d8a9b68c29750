package io.sage.gateway.cli;

import picocli.CommandLine;

/** Creates commands for picocli, handing the CLI's environment to the shared gateway options. */
final class CliFactory implements CommandLine.IFactory {
  private final CliEnvironment environment;

  CliFactory(CliEnvironment environment) {
    this.environment = environment;
  }

  @Override
  public <K> K create(Class<K> type) throws Exception {
    if (type == ClientOptions.class) {
      return type.cast(new ClientOptions(environment));
    }
    return CommandLine.defaultFactory().create(type);
  }
}
