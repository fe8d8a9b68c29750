package io.sage.gateway.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code sage} command line (SPEC.md section 8). */
@Command(name = "sage", mixinStandardHelpOptions = true, version = "sage 0.1.0",
    description = "SAGE Gateway: one OpenAI-compatible endpoint for your LLM and embedding engines.",
    subcommands = {GatewayCommand.class, CommandLine.HelpCommand.class})
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
    CommandLine cli = new CommandLine(new SageCli());
    cli.setExitCodeExceptionMapper(e -> e instanceof CliException ce ? ce.exitCode() : FAILED);
    cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
      if (e instanceof CliException ce) {
        cmd.getErr().println("error: " + ce.getMessage());
        return ce.exitCode();
      }
      cmd.getErr().println("error: " + e.getMessage());
      return FAILED;
    });
    cli.setParameterExceptionHandler((e, args) -> {
      e.getCommandLine().getErr().println("error: " + e.getMessage());
      e.getCommandLine().usage(e.getCommandLine().getErr());
      return USAGE;
    });
    return cli;
  }
}
