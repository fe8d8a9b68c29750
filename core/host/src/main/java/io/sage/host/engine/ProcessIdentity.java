package io.sage.host.engine;

import java.time.Instant;

/**
 * How to recognise an engine's process again after a gateway restart: a recycled pid has another
 * start time or command line.
 *
 * @param pid process id of the engine's process group leader (0 when there is none)
 * @param startTime when the OS started it, or null
 * @param commandLine the command line it was started with, or null
 */
public record ProcessIdentity(long pid, Instant startTime, String commandLine) {
  /** No process: remote engines, and engines not launched yet. */
  public static final ProcessIdentity NONE = new ProcessIdentity(0, null, null);

  public ProcessIdentity {
    if (pid < 0) {
      throw new IllegalArgumentException("pid must be >= 0, got " + pid);
    }
  }

  /**
   * From stored columns, where a missing pid is null. A command line without a pid is kept: it is
   * the handle of a scheduler job ({@code job:<id>}, see {@link #job}).
   */
  public static ProcessIdentity of(Long pid, Instant startTime, String commandLine) {
    if (pid == null) {
      return commandLine == null ? NONE : new ProcessIdentity(0, null, commandLine);
    }
    return new ProcessIdentity(pid, startTime, commandLine);
  }

  /** An engine that runs as a scheduler job: no pid here, the job's handle as the command line. */
  public static ProcessIdentity job(String commandLine) {
    return new ProcessIdentity(0, null, commandLine);
  }

  /** Whether there is a process that can be checked and signalled (never pid 0 or init). */
  public boolean isKnown() {
    return pid > 1 && startTime != null && commandLine != null;
  }

  /** The pid, or null when there is none (for storage). */
  public Long pidOrNull() {
    return pid == 0 ? null : pid;
  }
}
