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
    int code =
        isGatewayProcess(args)
            ? gatewayProcess().execute(java.util.Arrays.copyOfRange(args, 2, args.length))
            : commandLine(CliEnvironment.system(), args).execute(args);
    if (code != Integer.MIN_VALUE) {
      System.exit(code);
    }
  }

  /**
   * The gateway process itself ({@code gateway start --foreground}, as {@code gateway start}
   * launches it): it needs only that one command, and building the whole command tree is about a
   * fifth of the main thread's work while the gateway starts.
   */
  static boolean isGatewayProcess(String[] args) {
    return args.length >= 3
        && args[0].equals("gateway")
        && args[1].equals("start")
        && args[2].equals("--foreground");
  }

  static CommandLine gatewayProcess() {
    CommandLine cli =
        handled(
            new CommandLine(new GatewayCommand.Start(), new CliFactory(CliEnvironment.system())));
    cli.setCommandName("sage gateway start");
    return cli;
  }

  public static CommandLine commandLine() {
    return commandLine(CliEnvironment.system());
  }

  /**
   * The command line for these arguments: when the first one names a top-level command that needs
   * nothing of the rest of the tree, the root holds only that command (same names, options,
   * messages and argument indexes). Building every command's model is most of what a short command
   * such as {@code sage gateway stop} costs before it does anything (docs/decisions.md).
   */
  public static CommandLine commandLine(CliEnvironment environment, String[] args) {
    Class<?> only = args.length > 0 ? leanCommand(args[0]) : null;
    if (only == null) {
      return commandLine(environment);
    }
    CommandLine cli = new CommandLine(new Lean(), new CliFactory(environment));
    cli.addSubcommand(args[0], only);
    return handled(cli);
  }

  /**
   * The top-level command class named {@code name}, or null when there is none or it looks at the
   * whole tree ({@code help}, {@code completion}).
   */
  static Class<?> leanCommand(String name) {
    for (Class<?> sub : SageCli.class.getAnnotation(Command.class).subcommands()) {
      Command command = sub.getAnnotation(Command.class);
      if (command != null
          && command.name().equals(name)
          && command.aliases().length == 0
          && sub != CompletionCommand.class
          && sub != CommandLine.HelpCommand.class) {
        return sub;
      }
    }
    return null;
  }

  /** The root of a lean command line: {@link SageCli}'s own attributes, one subcommand. */
  @Command(
      name = "sage",
      mixinStandardHelpOptions = true,
      versionProvider = VersionCommand.Provider.class)
  static final class Lean {}

  /** The command line with the environment the commands read (tests pass a made-up one). */
  public static CommandLine commandLine(CliEnvironment environment) {
    return handled(new CommandLine(new SageCli(), new CliFactory(environment)));
  }

  private static CommandLine handled(CommandLine cli) {
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
