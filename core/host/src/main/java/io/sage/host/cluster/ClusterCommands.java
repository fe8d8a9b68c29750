package io.sage.host.cluster;

import io.sage.host.store.ClusterStore;
import io.sage.host.time.Scheduler;
import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Management from any node (docs/cluster.md): commands written to the store for the node that runs
 * an engine, carried out there, and waited on by the node that took the call.
 *
 * <p>The owning side polls its pending commands every poll interval (and at once on {@link #wake},
 * the hook a database notification can call), takes each one (PENDING to RUNNING, so no command
 * runs twice) and hands it to the {@link Executor}, which reports how it ended. The calling side
 * waits on the command's row, re-read every wait interval and at each {@link #wake}.
 */
public final class ClusterCommands implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterCommands.class);
  static final Duration WAIT_POLL = Duration.ofMillis(100);

  /** How long a finished command is kept (its row answers late waiters and shows what happened). */
  public static final Duration KEPT = Duration.ofDays(1);

  /** How often the leader prunes the commands finished longer than {@link #KEPT} ago. */
  public static final Duration PRUNE_INTERVAL = Duration.ofMinutes(10);

  /** Carries a command out on this node; reports the end through {@link Outcome}. */
  @FunctionalInterface
  public interface Executor {
    /**
     * Starts carrying {@code command} out (it is RUNNING); the future completes when it is done,
     * exceptionally with a {@link SageException} when it failed. May throw instead of returning.
     */
    CompletableFuture<?> execute(EngineCommand command);
  }

  /** Someone waiting for the store to show something: asked every wait interval. */
  private record Waiter<T>(Supplier<Optional<T>> check, CompletableFuture<T> done) {
    void ask() {
      try {
        check.get().ifPresent(done::complete);
      } catch (RuntimeException e) {
        // the database is unreachable for a moment: the next round asks again
      }
    }
  }

  private final ClusterStore store;
  private final Scheduler scheduler;
  private final String nodeId;
  private final Duration pollInterval;
  private final Executor executor;
  private final Map<CompletableFuture<?>, Waiter<?>> waiters = new ConcurrentHashMap<>();
  private final AtomicBoolean polling = new AtomicBoolean();
  private Scheduler.Timer pollTimer;
  private Scheduler.Timer waitTimer;
  private boolean failing;

  public ClusterCommands(
      ClusterStore store,
      Scheduler scheduler,
      String nodeId,
      Duration pollInterval,
      Executor executor) {
    this.store = Objects.requireNonNull(store, "store");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.nodeId = Node.requireValidId(nodeId);
    this.pollInterval = Objects.requireNonNull(pollInterval, "pollInterval");
    this.executor = Objects.requireNonNull(executor, "executor");
  }

  /**
   * Settles what a previous run of this node left RUNNING (it cannot tell how far it got: the
   * command fails, saying so), then polls every interval.
   */
  public synchronized void start() {
    for (EngineCommand left : store.commandsOf(nodeId, CommandState.RUNNING)) {
      store.advance(
          left.id(),
          CommandState.RUNNING,
          CommandState.FAILED,
          new EngineCommand.CommandError(
              ErrorCode.INTERNAL.name(),
              "node "
                  + nodeId
                  + " restarted while it carried the "
                  + left.action()
                  + " of engine "
                  + left.engineId()
                  + " out; look at the engine's state",
              null),
          scheduler.now());
    }
    pollTimer = scheduler.repeat(pollInterval, this::poll);
    waitTimer = scheduler.repeat(WAIT_POLL, this::checkWaiters);
  }

  /** Polls now (a notification said a command or an engine changed). Never blocks the caller. */
  public void wake() {
    scheduler.execute(
        () -> {
          poll();
          checkWaiters();
        });
  }

  /** Writes a command for another node (or for the leader to place) and returns it stored. */
  public EngineCommand submit(EngineCommand command) {
    EngineCommand stored = store.submit(command);
    LOG.info(
        "command {}: {} of engine {} for node {} (asked by {})",
        stored.id(),
        stored.action(),
        stored.engineId(),
        stored.isPlaced() ? stored.nodeId() : "the leader to place",
        stored.actor());
    return stored;
  }

  /** Completes with the command once its state satisfies {@code until} (never exceptionally). */
  public CompletableFuture<EngineCommand> when(long id, Predicate<CommandState> until) {
    return whenStored(() -> store.command(id).filter(c -> until.test(c.state())));
  }

  /**
   * Completes with what {@code check} finds in the store, once it finds something (asked every wait
   * interval and at each {@link #wake}); the caller bounds the wait ({@code orTimeout}).
   */
  public <T> CompletableFuture<T> whenStored(Supplier<Optional<T>> check) {
    CompletableFuture<T> done = new CompletableFuture<>();
    waiters.put(done, new Waiter<>(check, done));
    done.whenComplete((c, e) -> waiters.remove(done));
    return done;
  }

  /** One round of this node's pending commands. */
  void poll() {
    if (!polling.compareAndSet(false, true)) {
      return;
    }
    try {
      List<EngineCommand> pending = store.commandsOf(nodeId, CommandState.PENDING);
      for (EngineCommand command : pending) {
        if (store.advance(
            command.id(), CommandState.PENDING, CommandState.RUNNING, null, scheduler.now())) {
          run(command);
        }
      }
      if (failing) {
        LOG.info("node {}: its commands are read from the store again", nodeId);
        failing = false;
      }
    } catch (RuntimeException e) {
      if (!failing) {
        LOG.warn("node {}: cannot read its commands, retrying: {}", nodeId, e.toString());
        failing = true;
      }
    } finally {
      polling.set(false);
    }
  }

  private void run(EngineCommand command) {
    LOG.info(
        "command {}: carrying out the {} of engine {} asked by {}",
        command.id(),
        command.action(),
        command.engineId(),
        command.actor());
    CompletableFuture<?> done;
    try {
      done = executor.execute(command);
    } catch (RuntimeException e) {
      done = CompletableFuture.failedFuture(e);
    }
    done.whenComplete((result, error) -> finish(command, error));
  }

  private void finish(EngineCommand command, Throwable error) {
    Throwable cause =
        error instanceof java.util.concurrent.CompletionException && error.getCause() != null
            ? error.getCause()
            : error;
    EngineCommand.CommandError failure = null;
    if (cause instanceof SageException e) {
      failure = new EngineCommand.CommandError(e.code().name(), e.getMessage(), e.param());
    } else if (cause != null) {
      failure = new EngineCommand.CommandError(ErrorCode.INTERNAL.name(), cause.toString(), null);
    }
    try {
      store.advance(
          command.id(),
          CommandState.RUNNING,
          failure == null ? CommandState.DONE : CommandState.FAILED,
          failure,
          scheduler.now());
    } catch (RuntimeException e) {
      LOG.warn("command {}: could not record how it ended: {}", command.id(), e.toString());
    }
    if (failure != null) {
      LOG.info("command {}: failed: {}", command.id(), failure.message());
    }
  }

  private void checkWaiters() {
    for (Waiter<?> waiter : List.copyOf(waiters.values())) {
      waiter.ask();
    }
  }

  /**
   * Deletes the commands that finished more than {@link #KEPT} ago, as leader; returns how many.
   *
   * @throws io.sage.host.store.StaleLeaderException when the lease was taken over meanwhile
   */
  public int prune(LeaderLease fence) {
    int pruned = store.pruneCommands(fence, scheduler.now().minus(KEPT));
    if (pruned > 0) {
      LOG.info("leader {} pruned {} finished command(s)", fence.nodeId(), pruned);
    }
    return pruned;
  }

  /** Throws the command's error when it failed, as the owning node reported it. */
  public static EngineCommand requireSucceeded(EngineCommand command) {
    if (command.state() != CommandState.FAILED) {
      return command;
    }
    EngineCommand.CommandError error = command.error();
    if (error == null) {
      throw new SageException(
          ErrorCode.INTERNAL, "command " + command.id() + " failed without saying why");
    }
    ErrorCode code;
    try {
      code = ErrorCode.valueOf(error.code());
    } catch (IllegalArgumentException e) {
      code = ErrorCode.INTERNAL;
    }
    throw new SageException(code, error.message(), error.param());
  }

  @Override
  public synchronized void close() {
    if (pollTimer != null) {
      pollTimer.cancel();
      waitTimer.cancel();
    }
    for (Waiter<?> waiter : List.copyOf(waiters.values())) {
      waiter.done().cancel(false);
    }
  }
}
