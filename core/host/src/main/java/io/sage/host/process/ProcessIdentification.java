package io.sage.host.process;

import io.sage.host.engine.ProcessIdentity;
import java.time.Instant;
import java.util.Optional;

/**
 * Tells whether a live process is the very engine process that was recorded, so a gateway restart
 * adopts it and never a stranger that got a recycled pid: the pid is alive, its start time matches
 * (within a second, the OS's precision), and either its command line is the recorded one or its
 * environment names the engine ({@link ProcessLauncher#ENGINE_ID_ENV}: a wrapper such as a python
 * entry script or a shell may exec another program, changing the command line).
 */
public final class ProcessIdentification {
  private static final long START_TOLERANCE_MILLIS = 1000;

  private final ProcessTable table;

  public ProcessIdentification(ProcessTable table) {
    this.table = table;
  }

  /** The recorded process when it still runs and is the same one; empty otherwise. */
  public Optional<ProcessTable.ProcessInfo> identify(ProcessIdentity recorded, String engineId) {
    if (recorded == null || !recorded.isKnown()) {
      return Optional.empty();
    }
    Optional<ProcessTable.ProcessInfo> live = table.find(recorded.pid());
    if (live.isEmpty()) {
      return Optional.empty();
    }
    boolean sameStart = sameStart(live.get().startTime(), recorded.startTime());
    boolean sameCommand =
        live.get().commandLine().map(recorded.commandLine()::equals).orElse(false)
            || engineId != null
                && table.hasEnvironment(
                    recorded.pid(), ProcessLauncher.ENGINE_ID_ENV + "=" + engineId);
    return sameStart && sameCommand ? live : Optional.empty();
  }

  private static boolean sameStart(Optional<Instant> actual, Instant recorded) {
    return actual.isPresent()
        && Math.abs(actual.get().toEpochMilli() - recorded.toEpochMilli()) < START_TOLERANCE_MILLIS;
  }
}
