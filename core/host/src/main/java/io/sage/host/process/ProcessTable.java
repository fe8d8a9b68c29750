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

  /**
   * A live process whose environment sets a given variable, as found by {@link #withEnvironment}.
   *
   * @param info pid, start time and command line
   * @param pgid its process group
   * @param value the variable's value in its environment
   */
  record TaggedProcess(ProcessInfo info, long pgid, String value) {
    public long pid() {
      return info.pid();
    }

    /** Whether it leads its process group (an engine's first process does, its workers do not). */
    public boolean leadsGroup() {
      return info.pid() == pgid;
    }
  }

  /** The live (not zombie) process {@code pid}, or empty. */
  Optional<ProcessInfo> find(long pid);

  /** Whether the environment {@code pid} was started with holds {@code entry} ({@code K=V}). */
  boolean hasEnvironment(long pid, String entry);

  /**
   * Every live (not zombie) process this gateway may signal whose environment sets {@code name}:
   * how a gateway start finds the processes of its engines, its own and ones it never recorded.
   */
  List<TaggedProcess> withEnvironment(String name);

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
