package io.sage.engine.slurm;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs one Slurm command as an argument vector (never through a shell), with the configured
 * timeout: a command still running then is killed and reported as {@link Unreachable}, so a slow or
 * dead controller never hangs a caller.
 */
final class SlurmCli {
  /** Words in Slurm's messages that mean the controller (or munge) could not be reached. */
  private static final List<String> UNREACHABLE_SIGNS =
      List.of(
          "Unable to contact slurm controller",
          "Socket timed out",
          "Zero Bytes were transmitted",
          "Could not establish a configuration source",
          "Connection refused",
          "munge",
          "Munge",
          "Protocol authentication error",
          "Invalid user id");

  /** One finished command. */
  record Result(int exit, String out, String err) {
    boolean ok() {
      return exit == 0;
    }

    /** Stderr (or stdout when stderr is empty), on one line. */
    String message() {
      String text = err.isBlank() ? out : err;
      return text.strip().replace('\n', ' ');
    }
  }

  /** The command could not run, timed out, or Slurm's controller did not answer. */
  static final class Unreachable extends Exception {
    Unreachable(String message) {
      super(message);
    }
  }

  private final SlurmSettings settings;

  SlurmCli(SlurmSettings settings) {
    this.settings = settings;
  }

  SlurmSettings settings() {
    return settings;
  }

  Result run(String command, List<String> args) throws Unreachable {
    return run(command, args, null);
  }

  /** Runs {@code command args...}, writing {@code stdin} (if any) to its standard input. */
  Result run(String command, List<String> args, String stdin) throws Unreachable {
    List<String> argv = new ArrayList<>();
    argv.add(settings.command(command));
    argv.addAll(args);
    Process process;
    try {
      process = new ProcessBuilder(argv).start();
    } catch (IOException e) {
      throw new Unreachable("cannot run " + argv.get(0) + ": " + e.getMessage());
    }
    CompletableFuture<String> out = drain(process.getInputStream());
    CompletableFuture<String> err = drain(process.getErrorStream());
    try (OutputStream in = process.getOutputStream()) {
      if (stdin != null) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      // the command exited early; its stderr says why
    }
    try {
      long millis = settings.commandTimeout().toMillis();
      if (!process.waitFor(millis, TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new Unreachable(
            command + " did not answer within " + millis + " ms (Slurm controller slow or down)");
      }
      Result result =
          new Result(
              process.exitValue(), out.get(1, TimeUnit.SECONDS), err.get(1, TimeUnit.SECONDS));
      if (!result.ok() && unreachable(result.message())) {
        throw new Unreachable(command + ": " + result.message());
      }
      return result;
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new Unreachable(command + " interrupted");
    } catch (ExecutionException | TimeoutException e) {
      process.destroyForcibly();
      throw new Unreachable(command + ": output not readable: " + e);
    }
  }

  static boolean unreachable(String message) {
    return UNREACHABLE_SIGNS.stream().anyMatch(message::contains);
  }

  private static CompletableFuture<String> drain(InputStream stream) {
    CompletableFuture<String> text = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              try (stream) {
                text.complete(new String(stream.readAllBytes(), StandardCharsets.UTF_8));
              } catch (IOException e) {
                text.complete("");
              }
            },
            "sage-slurm-output");
    reader.setDaemon(true);
    reader.start();
    return text;
  }
}
