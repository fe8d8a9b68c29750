package io.sage.host.process;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The operating system's processes as the control plane sees them: find one, list a process group,
 * signal a group, wait for an exit. {@link ProcProcessTable} reads {@code /proc} and runs {@code
 * kill}; tests use an in-memory table, so supervision rules run without real processes.
 */
public interface ProcessTable {

  /** Signals the control plane sends to an engine's process group. */
  enum Signal {
    TERM,
    KILL
  }

  /**
   * What the OS says about one live process.
   *
   * @param pid the process id
   * @param startTime when the OS started it, when known
   * @param commandLine its command line, arguments joined by spaces, when readable
   */
  record ProcessInfo(long pid, Optional<Instant> startTime, Optional<String> commandLine) {}

  /** The live (not zombie) process {@code pid}, or empty. */
  Optional<ProcessInfo> find(long pid);

  /** Whether the environment {@code pid} was started with holds {@code entry} ({@code K=V}). */
  boolean hasEnvironment(long pid, String entry);

  /** Pids of the live (not zombie) processes whose process group is {@code pgid}. */
  List<Long> groupMembers(long pgid);

  /**
   * Sends {@code signal} to every process of group {@code pgid}.
   *
   * @throws IllegalArgumentException for pgid 0 or 1, which would hit the caller or init
   */
  void signalGroup(long pgid, Signal signal);

  /** Completes when {@code pid} exits (at once when it is not alive). */
  CompletableFuture<Void> onExit(long pid);
}
