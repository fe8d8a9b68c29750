package io.sage.host.process;

import java.time.Instant;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;

/**
 * An engine process the host started (or adopted after a restart). Its pid is also the id of its
 * process group, because the host starts every engine as the leader of a new session.
 *
 * @param pid process id, equal to the process group id
 * @param startTime when the OS started it (tells a recycled pid apart)
 * @param commandLine the command line as the OS reports it
 * @param exit completes when the process exits, with its exit code when known (not for adopted
 *     processes, which are not children of this gateway)
 */
public record ManagedProcess(
    long pid, Instant startTime, String commandLine, CompletableFuture<OptionalInt> exit) {

  public boolean isAlive() {
    return !exit.isDone();
  }
}
