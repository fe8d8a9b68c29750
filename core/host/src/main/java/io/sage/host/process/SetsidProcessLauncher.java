package io.sage.host.process;

import io.sage.host.engine.ProcessIdentity;
import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import io.sage.spi.engine.LaunchCommand;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Starts engine processes: each as the leader of a new session and process group (through
 * setsid(1)), with stdout and stderr appended straight to the engine's log file so that the log
 * survives a gateway crash, and never through a shell. {@link #launch} returns once the process
 * leads its group, so a signal to the group sent right after reaches it.
 */
public final class SetsidProcessLauncher implements ProcessLauncher {
  /** How long setsid may take to make the new group; it takes microseconds on an idle machine. */
  private static final long GROUP_WAIT_NANOS = TimeUnit.SECONDS.toNanos(5);

  private final String setsid;

  public SetsidProcessLauncher() {
    this(Files.isExecutable(Path.of("/usr/bin/setsid")) ? "/usr/bin/setsid" : "setsid");
  }

  SetsidProcessLauncher(String setsid) {
    this.setsid = setsid;
  }

  @Override
  public ManagedProcess launch(String engineId, LaunchCommand command, Path logFile) {
    List<String> argv = new ArrayList<>(command.argv().size() + 1);
    argv.add(setsid);
    argv.addAll(command.argv());
    try {
      // each step named on its own, so a refusal says which file and why (setsid would only
      // write its exec failure into the engine's log and exit 126)
      LaunchErrors.requireExecutable(command.argv().get(0));
      Files.createDirectories(command.workingDirectory());
      Files.createDirectories(logFile.getParent());
      try (OutputStream log =
          Files.newOutputStream(logFile, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
        log.flush();
      }
      ProcessBuilder builder =
          new ProcessBuilder(argv)
              .directory(command.workingDirectory().toFile())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      builder.environment().putAll(command.environment());
      // survives the exec chains of wrappers (setsid, a python entry script, a shell that execs
      // another program), which change the command line but pass the environment on
      builder.environment().put(ENGINE_ID_ENV, engineId);
      Process process = builder.start();
      awaitOwnGroup(process);
      Instant started = process.info().startInstant().orElse(Instant.now());
      CompletableFuture<OptionalInt> exit =
          process.onExit().thenApply(p -> OptionalInt.of(p.exitValue()));
      // setsid execs the engine in place, so the pid stays the same and the command line becomes
      // the engine's
      return new ManagedProcess(
          new ProcessIdentity(process.pid(), started, String.join(" ", command.argv())), exit);
    } catch (IOException e) {
      throw new SageException(
          ErrorCode.LAUNCH_FAILED,
          "engine " + engineId + " could not be launched: " + LaunchErrors.describe(e),
          null,
          e);
    }
  }

  /**
   * Waits until setsid has made the child the leader of its own group (or the child is gone): until
   * then a signal to the group would miss it, and a crash of the gateway would leave it in the
   * gateway's group.
   */
  private static void awaitOwnGroup(Process process) {
    long deadline = System.nanoTime() + GROUP_WAIT_NANOS;
    while (process.isAlive() && System.nanoTime() < deadline) {
      Optional<Long> group = ProcProcessTable.processGroup(process.pid());
      if (group.isEmpty() || group.get() == process.pid()) {
        return;
      }
      try {
        Thread.sleep(0, 200_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
