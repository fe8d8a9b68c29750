package io.sage.host.fake;

import io.sage.host.engine.ProcessIdentity;
import io.sage.host.process.ManagedProcess;
import io.sage.host.process.ProcessLauncher;
import io.sage.host.process.ProcessTable;
import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import io.sage.spi.engine.LaunchCommand;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;

/**
 * An in-memory process table and launcher: processes are entries that live until a signal or the
 * test ends them. Signals behave as on Linux for a process group: TERM ends every member that does
 * not ignore it (exit 143), KILL ends every member (137).
 */
public final class FakeProcessTable implements ProcessTable, ProcessLauncher {

  /** One fake process. */
  public static final class FakeProcess {
    public final long pid;
    public final long pgid;
    public final Instant startTime;
    public final String commandLine;
    public final Map<String, String> environment;
    final CompletableFuture<OptionalInt> exit = new CompletableFuture<>();
    volatile boolean ignoresTerm;
    volatile boolean unkillable;

    FakeProcess(
        long pid, long pgid, Instant startTime, String commandLine, Map<String, String> env) {
      this.pid = pid;
      this.pgid = pgid;
      this.startTime = startTime;
      this.commandLine = commandLine;
      this.environment = Map.copyOf(env);
    }

    public boolean alive() {
      return !exit.isDone();
    }

    /** Stuck in the kernel: no signal ends it. */
    public FakeProcess unkillable() {
      ignoresTerm = true;
      unkillable = true;
      return this;
    }

    /** A hung engine: SIGTERM does nothing, only SIGKILL ends it. */
    public FakeProcess ignoringTerm() {
      ignoresTerm = true;
      return this;
    }
  }

  /** A signal as it was sent. */
  public record SentSignal(long pgid, Signal signal, Instant at) {}

  private final Clock clock;
  private final Map<Long, FakeProcess> processes = new LinkedHashMap<>();
  private final List<SentSignal> signals = new ArrayList<>();
  private final List<LaunchCommand> launches = new ArrayList<>();
  private long nextPid = 1000;
  private String launchFailure;
  private boolean termIgnoredByNextLaunch;
  private volatile java.util.function.Consumer<String> beforeLaunch = id -> {};

  public FakeProcessTable(Clock clock) {
    this.clock = clock;
  }

  // ProcessLauncher

  @Override
  public ManagedProcess launch(String engineId, LaunchCommand command, Path logFile) {
    beforeLaunch.accept(engineId);
    return spawn(engineId, command);
  }

  private synchronized ManagedProcess spawn(String engineId, LaunchCommand command) {
    launches.add(command);
    if (launchFailure != null) {
      String reason = launchFailure;
      launchFailure = null;
      throw new SageException(
          ErrorCode.LAUNCH_FAILED, "engine " + engineId + " could not be launched: " + reason);
    }
    Map<String, String> env = new HashMap<>(command.environment());
    env.put(ENGINE_ID_ENV, engineId);
    FakeProcess process = start(String.join(" ", command.argv()), env, 0);
    if (termIgnoredByNextLaunch) {
      process.ignoringTerm();
      termIgnoredByNextLaunch = false;
    }
    return new ManagedProcess(
        new ProcessIdentity(process.pid, process.startTime, process.commandLine), process.exit);
  }

  // ProcessTable

  @Override
  public synchronized Optional<ProcessInfo> find(long pid) {
    FakeProcess p = processes.get(pid);
    return p == null || !p.alive()
        ? Optional.empty()
        : Optional.of(new ProcessInfo(pid, Optional.of(p.startTime), Optional.of(p.commandLine)));
  }

  @Override
  public synchronized boolean hasEnvironment(long pid, String entry) {
    FakeProcess p = processes.get(pid);
    if (p == null || !p.alive()) {
      return false;
    }
    int eq = entry.indexOf('=');
    return entry.substring(eq + 1).equals(p.environment.get(entry.substring(0, eq)));
  }

  @Override
  public synchronized List<TaggedProcess> withEnvironment(String name) {
    List<TaggedProcess> found = new ArrayList<>();
    for (FakeProcess p : processes.values()) {
      String value = p.environment.get(name);
      if (p.alive() && value != null) {
        found.add(
            new TaggedProcess(
                new ProcessInfo(p.pid, Optional.of(p.startTime), Optional.of(p.commandLine)),
                p.pgid,
                value));
      }
    }
    return found;
  }

  @Override
  public synchronized List<Long> groupMembers(long pgid) {
    List<Long> members = new ArrayList<>();
    for (FakeProcess p : processes.values()) {
      if (p.pgid == pgid && p.alive()) {
        members.add(p.pid);
      }
    }
    return members;
  }

  @Override
  public void signalGroup(long pgid, Signal signal) {
    if (pgid <= 1) {
      throw new IllegalArgumentException("refusing to signal process group " + pgid);
    }
    List<FakeProcess> hit = new ArrayList<>();
    synchronized (this) {
      signals.add(new SentSignal(pgid, signal, clock.instant()));
      for (FakeProcess p : processes.values()) {
        if (p.pgid == pgid && p.alive()) {
          hit.add(p);
        }
      }
    }
    for (FakeProcess p : hit) {
      switch (signal) {
        case TERM -> {
          if (!p.ignoresTerm) {
            p.exit.complete(OptionalInt.of(143));
          }
        }
        case KILL -> {
          if (!p.unkillable) {
            p.exit.complete(OptionalInt.of(137));
          }
        }
      }
    }
  }

  @Override
  public synchronized CompletableFuture<Void> onExit(long pid) {
    FakeProcess p = processes.get(pid);
    return p == null
        ? CompletableFuture.completedFuture(null)
        : p.exit.thenApply(code -> (Void) null);
  }

  // what tests do to processes

  /** A process that runs already (one that outlived a gateway), leading its own group. */
  public synchronized FakeProcess start(String commandLine, Map<String, String> env, long pgid) {
    long pid = nextPid++;
    FakeProcess p = new FakeProcess(pid, pgid == 0 ? pid : pgid, clock.instant(), commandLine, env);
    processes.put(pid, p);
    return p;
  }

  /** A child the process forked into its group (vLLM's workers). */
  public synchronized FakeProcess fork(long parentPid) {
    FakeProcess parent = processes.get(parentPid);
    return start(parent.commandLine + " (worker)", parent.environment, parent.pgid);
  }

  /** The process exits by itself (a crash). */
  public void exit(long pid, int code) {
    FakeProcess p;
    synchronized (this) {
      p = processes.get(pid);
    }
    p.exit.complete(OptionalInt.of(code));
  }

  public synchronized FakeProcess process(long pid) {
    return processes.get(pid);
  }

  /**
   * Runs before every launch starts its process, with the engine's id (what the store holds then).
   */
  public synchronized void beforeEachLaunch(java.util.function.Consumer<String> hook) {
    beforeLaunch = hook;
  }

  /** The next launch fails as the OS would refuse it. */
  public synchronized void failNextLaunch(String reason) {
    launchFailure = reason;
  }

  /** The next launched process ignores SIGTERM. */
  public synchronized void nextLaunchIgnoresTerm() {
    termIgnoredByNextLaunch = true;
  }

  public synchronized List<SentSignal> signals() {
    return List.copyOf(signals);
  }

  public synchronized List<LaunchCommand> launches() {
    return List.copyOf(launches);
  }

  public synchronized List<FakeProcess> alive() {
    return processes.values().stream().filter(FakeProcess::alive).toList();
  }
}
