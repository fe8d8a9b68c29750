package io.sage.host.store;

import io.sage.host.cluster.ClusterEngine;
import io.sage.host.cluster.CommandState;
import io.sage.host.cluster.EngineCommand;
import io.sage.host.cluster.LeaderLease;
import io.sage.host.cluster.ModelActivity;
import io.sage.host.engine.EngineEvent;
import io.sage.host.engine.EngineState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What the nodes of one database share beyond their own engines (docs/cluster.md): the leader
 * lease, every node's engines, and the commands one node writes for another. Implemented by the
 * {@code db} module; every method talks to the database and may fail when it is unreachable.
 *
 * <p>The methods taking a {@link LeaderLease} are the leader's writes: each checks, in its own
 * transaction, that the lease's token is still the current one (and holds the lease row until it
 * commits, so no takeover lands in between), and throws {@link StaleLeaderException}, changing
 * nothing, when another node took the lease meanwhile.
 */
public interface ClusterStore {

  // the leader lease

  /** The lease as stored (possibly expired); empty when no node ever held it or it was released. */
  Optional<LeaderLease> leader();

  /**
   * Takes the lease for {@code nodeId} until {@code now + duration} with the next token, when it is
   * free, expired at {@code now}, or held by {@code nodeId} itself (a restarted node); empty when
   * another node holds it.
   */
  Optional<LeaderLease> acquire(String nodeId, Instant now, Duration duration);

  /**
   * Moves the lease's expiry to {@code now + duration}; empty when the lease is no longer this one
   * (another node took it: the renewal is a stale leader's write and is refused).
   */
  Optional<LeaderLease> renew(LeaderLease lease, Instant now, Duration duration);

  /** Gives the lease up (at shutdown), when it is still this one. */
  void release(LeaderLease lease);

  // the cluster's engines

  /** Every engine of every node, oldest first. */
  List<ClusterEngine> engines();

  /** One engine of any node, with its node; empty when there is no such engine. */
  Optional<ClusterEngine> engine(String engineId);

  /** Any node's engine's events, newest first, at most {@code limit}. */
  List<EngineEvent> events(String engineId, int limit);

  /**
   * Moves another node's engine to ERROR with {@code reason} (a DRAINING one to STOPPED: the end of
   * its drain), as leader, when it is still that node's and in state {@code expected}; false when
   * it changed meanwhile. The engine's event is written with it.
   *
   * @throws StaleLeaderException when the lease's token is no longer current
   */
  boolean failEngine(
      LeaderLease fence,
      String engineId,
      String nodeId,
      EngineState expected,
      String reason,
      Instant at);

  // commands

  /** Stores a new command and returns it with its id. */
  EngineCommand submit(EngineCommand command);

  Optional<EngineCommand> command(long id);

  /** The node's commands in {@code state}, oldest first. */
  List<EngineCommand> commandsOf(String nodeId, CommandState state);

  /** Starts no node has been given yet (the leader places them), oldest first. */
  List<EngineCommand> unplaced();

  /**
   * Gives an unplaced start to {@code nodeId}, as leader; false when it was placed meanwhile.
   *
   * @throws StaleLeaderException when the lease's token is no longer current
   */
  boolean place(LeaderLease fence, long commandId, String nodeId, Instant at);

  /**
   * Moves the command from {@code from} to {@code to} (with the error, when it failed); false when
   * it was no longer in {@code from} (another thread or node took it).
   */
  boolean advance(
      long commandId,
      CommandState from,
      CommandState to,
      EngineCommand.CommandError error,
      Instant at);

  /**
   * Commands not finished yet (PENDING or RUNNING), every node's and the unplaced ones, oldest
   * first: what the leader counts as on its way when it applies the declared models.
   */
  List<EngineCommand> openCommands();

  /**
   * Deletes the commands that ended (DONE or FAILED) before {@code before}, as leader; returns how
   * many went.
   *
   * @throws StaleLeaderException when the lease's token is no longer current
   */
  int pruneCommands(LeaderLease fence, Instant before);

  // the declared models' activity

  /** Replaces what {@code nodeId} saw of the declared models with {@code rows} (all its). */
  void publishActivity(String nodeId, List<ModelActivity> rows);

  /** Every node's rows, by node and model. */
  List<ModelActivity> activity();
}
