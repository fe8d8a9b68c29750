package io.sage.host.engine;

import java.time.Instant;

/**
 * How to recognise an engine's process again after a gateway restart: a recycled pid has another
 * start time or command line. Before a process is started, the same record holds the launch intent
 * (written ahead of the launch, docs/state-machine.md): no pid yet, the command that is about to
 * run, and the moment it was asked for, which the process's own start time cannot precede.
 *
 * @param pid process id of the engine's process group leader (0 when there is none, or not yet)
 * @param startTime when the OS started it; for an intent, when the launch was asked for; or null
 * @param commandLine the command line it was (or is about to be) started with, or null
 */
public record ProcessIdentity(long pid, Instant startTime, String commandLine) {
  /** No process: remote engines, and engines not launched yet. */
  public static final ProcessIdentity NONE = new ProcessIdentity(0, null, null);

  /** How the command line of a scheduler job's identity begins. */
  static final String JOB_PREFIX = "job:";

  public ProcessIdentity {
    if (pid < 0) {
      throw new IllegalArgumentException("pid must be >= 0, got " + pid);
    }
  }

  /**
   * The launch intent: {@code commandLine} is about to be started, asked for at {@code at}; its pid
   * is recorded once the OS has started it.
   */
  public static ProcessIdentity intended(String commandLine, Instant at) {
    if (commandLine == null || at == null) {
      throw new IllegalArgumentException("a launch intent needs its command line and its time");
    }
    return new ProcessIdentity(0, at, commandLine);
  }

  /**
   * From stored columns, where a missing pid is null. A command line without a pid is kept: the
   * handle of a scheduler job ({@code job:<id>}, see {@link #job}), or with a time, a launch
   * intent.
   */
  public static ProcessIdentity of(Long pid, Instant startTime, String commandLine) {
    if (pid == null) {
      if (commandLine == null) {
        return NONE;
      }
      return startTime != null && !commandLine.startsWith(JOB_PREFIX)
          ? intended(commandLine, startTime)
          : job(commandLine);
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

  /**
   * A launch was asked for but its pid is not recorded: the process may be running (the gateway
   * died between the two writes) and is found by its engine id.
   */
  public boolean isIntent() {
    return pid == 0
        && startTime != null
        && commandLine != null
        && !commandLine.startsWith(JOB_PREFIX);
  }

  /** The pid, or null when there is none (for storage). */
  public Long pidOrNull() {
    return pid == 0 ? null : pid;
  }
}
