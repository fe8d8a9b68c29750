package io.sage.host.cluster;

import java.time.Instant;
import java.util.Objects;

/**
 * A management action written to the store for the node that runs the engine (docs/cluster.md,
 * management from any node). The owning node polls its pending commands, carries each one out and
 * writes how it ended; the node that took the call waits on the row.
 *
 * @param id the store's id (0 before it is stored)
 * @param nodeId the node to carry it out; empty for a start the leader has not placed yet
 * @param engineId the engine it acts on (a start: the id the new engine gets)
 * @param action what to do
 * @param arguments the action's arguments as JSON (a start: the whole request)
 * @param actor who asked (audit)
 * @param state where it stands
 * @param leaderToken the fencing token of the leader that placed it; 0 when no leader did
 * @param error why it failed, when it did
 * @param createdAt when it was written
 * @param updatedAt when it last changed
 */
public record EngineCommand(
    long id,
    String nodeId,
    String engineId,
    CommandAction action,
    String arguments,
    String actor,
    CommandState state,
    long leaderToken,
    CommandError error,
    Instant createdAt,
    Instant updatedAt) {

  /**
   * Why a command failed, as the owning node's control plane said it: the error code's name, the
   * message and the offending parameter (may be null).
   */
  public record CommandError(String code, String message, String param) {
    public CommandError {
      Objects.requireNonNull(code, "code");
      Objects.requireNonNull(message, "message");
    }
  }

  public EngineCommand {
    nodeId = nodeId == null ? "" : nodeId;
    Objects.requireNonNull(engineId, "engineId");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(arguments, "arguments");
    Objects.requireNonNull(actor, "actor");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(updatedAt, "updatedAt");
  }

  /** A new command, PENDING, for {@code nodeId} (empty: for the leader to place). */
  public static EngineCommand pending(
      String nodeId,
      String engineId,
      CommandAction action,
      String arguments,
      String actor,
      Instant now) {
    return new EngineCommand(
        0, nodeId, engineId, action, arguments, actor, CommandState.PENDING, 0, null, now, now);
  }

  public boolean isPlaced() {
    return !nodeId.isEmpty();
  }
}
