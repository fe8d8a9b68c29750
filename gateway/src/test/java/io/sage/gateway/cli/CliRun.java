package io.sage.gateway.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine;

/** Runs the CLI in this JVM with a made-up environment and captures its output. */
record CliRun(int exitCode, String out, String err) {
  static CliRun run(Map<String, String> env, boolean console, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli =
        SageCli.commandLine(new CliEnvironment(env, console, Path.of("/nonexistent-home")), args);
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(args);
    return new CliRun(code, out.toString(), err.toString());
  }

  static CliRun run(Map<String, String> env, String... args) {
    return run(env, false, args);
  }
}
