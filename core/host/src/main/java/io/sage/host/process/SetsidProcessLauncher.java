package io.sage.host.process;

import io.sage.host.engine.ProcessIdentity;
import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import io.sage.spi.engine.LaunchCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;

/**
 * Starts engine processes: each as the leader of a new session and process group (through
 * setsid(1)), with stdout and stderr appended straight to the engine's log file so that the log
 * survives a gateway crash, and never through a shell.
 */
public final class SetsidProcessLauncher implements ProcessLauncher {
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
      Files.createDirectories(command.workingDirectory());
      Files.createDirectories(logFile.getParent());
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
          "engine " + engineId + " could not be launched: " + e.getMessage(),
          null,
          e);
    }
  }
}
