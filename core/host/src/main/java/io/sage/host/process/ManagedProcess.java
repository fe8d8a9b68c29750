package io.sage.host.process;

import io.sage.host.engine.ProcessIdentity;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;

/**
 * An engine process the host started (or adopted after a restart). Its pid is also the id of its
 * process group, because the host starts every engine as the leader of a new session.
 *
 * @param identity pid, start time and command line, as recorded for adoption
 * @param exit completes when the process exits, with its exit code when known (not for adopted
 *     processes, which are not children of this gateway)
 */
public record ManagedProcess(ProcessIdentity identity, CompletableFuture<OptionalInt> exit) {

  /** A still-running process found after a gateway restart, watched through {@code table}. */
  public static ManagedProcess adopted(ProcessIdentity identity, ProcessTable table) {
    return new ManagedProcess(
        identity, table.onExit(identity.pid()).thenApply(x -> OptionalInt.empty()));
  }

  public long pid() {
    return identity.pid();
  }

  public boolean isAlive() {
    return !exit.isDone();
  }
}
