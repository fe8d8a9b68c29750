package io.sage.gateway.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code sage} command line (docs/spec.md §8). */
@Command(
    name = "sage",
    mixinStandardHelpOptions = true,
    versionProvider = VersionCommand.Provider.class,
    description =
        "SAGE Gateway: one OpenAI-compatible endpoint for your LLM and embedding engines.",
    subcommands = {
      GatewayCommand.class,
      LlmCommand.class,
      ModelsCommand.class,
      KeysCommand.class,
      NodesCommand.class,
      ChatCommand.class,
      VersionCommand.class,
      CompletionCommand.class,
      UsageCommand.class,
      BackupCommand.class,
      RestoreCommand.class,
      CommandLine.HelpCommand.class
    },
    footer = {
      "",
      "Exit codes: 0 ok, 1 operation failed, 2 usage error, 3 gateway unreachable.",
      "",
      "Examples:",
      "  sage gateway start",
      "  sage llm engine start my-model --runtime mock",
      "  sage llm engine list"
    })
public final class SageCli {
  public static final int OK = 0;
  public static final int FAILED = 1;
  public static final int USAGE = 2;
  public static final int UNREACHABLE = 3;

  public static void main(String[] args) {
    int code = commandLine().execute(args);
    if (code != Integer.MIN_VALUE) {
      System.exit(code);
    }
  }

  public static CommandLine commandLine() {
    return commandLine(CliEnvironment.system());
  }

  /** The command line with the environment the commands read (tests pass a made-up one). */
  public static CommandLine commandLine(CliEnvironment environment) {
    CommandLine cli = new CommandLine(new SageCli(), new CliFactory(environment));
    cli.setExitCodeExceptionMapper(e -> e instanceof CliException ce ? ce.exitCode() : FAILED);
    cli.setExecutionExceptionHandler(
        (e, cmd, parsed) -> {
          if (e instanceof CliException ce) {
            cmd.getErr().println("error: " + ce.getMessage());
            return ce.exitCode();
          }
          cmd.getErr().println("error: " + e.getMessage());
          return FAILED;
        });
    cli.setParameterExceptionHandler(
        (e, args) -> {
          e.getCommandLine().getErr().println("error: " + e.getMessage());
          e.getCommandLine().usage(e.getCommandLine().getErr());
          return USAGE;
        });
    return cli;
  }
}
