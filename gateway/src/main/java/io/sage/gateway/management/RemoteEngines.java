package io.sage.gateway.management;

import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.sage.host.Cluster;
import io.sage.host.ControlPlane;
import io.sage.host.EngineSnapshot;
import io.sage.host.cluster.ClusterEngine;
import io.sage.host.cluster.CommandState;
import io.sage.host.cluster.EngineCommand;
import io.sage.host.engine.EngineState;
import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The management calls on engines another node runs, or starts another node is to launch
 * (docs/cluster.md, management from any node): the command is written for that node, and the call
 * answers as a local one would once that node has carried it out, or with 202, the engine's id and
 * the command's state when that takes longer than {@link #HAND_OFF_WAIT}.
 */
final class RemoteEngines {
  /** How long a call waits for the owning node to take (and for a start: launch) its command. */
  static final Duration HAND_OFF_WAIT = Duration.ofSeconds(30);

  private final Cluster cluster;
  private final ControlPlane controlPlane;

  RemoteEngines(Cluster cluster, ControlPlane controlPlane) {
    this.cluster = cluster;
    this.controlPlane = controlPlane;
  }

  /** A start handed to another node: 202 with the engine once launched, 200 once READY if asked. */
  HttpResponse<?> started(EngineCommand command, boolean waitForReady, Duration waitLimit) {
    Optional<EngineCommand> settled = await(command, CommandState::isFinished, HAND_OFF_WAIT);
    if (settled.isEmpty()) {
      return pending(command);
    }
    Cluster.requireSucceeded(settled.get());
    if (waitForReady) {
      return HttpResponse.ok(
          settledView(
              command.engineId(),
              s -> s == EngineState.READY || s == EngineState.ERROR || s == EngineState.STOPPED,
              waitLimit));
    }
    return HttpResponse.status(HttpStatus.ACCEPTED).body(view(command.engineId()));
  }

  /**
   * An action written for the engine's node: answers once that node has taken it (202), or with
   * {@code wait} once it is done (200, within {@code waitLimit}); 202 with the command's state when
   * the node has not got that far in time.
   */
  HttpResponse<?> act(EngineCommand command, boolean wait, Duration waitLimit) {
    Predicate<CommandState> until =
        wait ? CommandState::isFinished : s -> s != CommandState.PENDING;
    Optional<EngineCommand> settled = await(command, until, wait ? waitLimit : HAND_OFF_WAIT);
    if (settled.isEmpty()) {
      return pending(command);
    }
    Cluster.requireSucceeded(settled.get());
    if (!wait) {
      // 202 as a local stop answers, also when the node was quick enough to have finished it
      return HttpResponse.status(HttpStatus.ACCEPTED).body(view(command.engineId()));
    }
    return switch (command.action()) {
      case REMOVE -> {
        Map<String, Object> gone = new LinkedHashMap<>();
        gone.put("id", command.engineId());
        gone.put("node", command.nodeId());
        gone.put("purged", true);
        yield HttpResponse.ok(gone);
      }
      case STOP, RESTART, START -> HttpResponse.ok(view(command.engineId()));
    };
  }

  /** A restart with {@code wait}: 200 once READY or ERROR, as a local one. */
  HttpResponse<?> restarted(EngineCommand command, boolean wait, Duration waitLimit) {
    Optional<EngineCommand> settled = await(command, CommandState::isFinished, HAND_OFF_WAIT);
    if (settled.isEmpty()) {
      return pending(command);
    }
    Cluster.requireSucceeded(settled.get());
    if (!wait) {
      return HttpResponse.status(HttpStatus.ACCEPTED).body(view(command.engineId()));
    }
    return HttpResponse.ok(
        settledView(
            command.engineId(), s -> s == EngineState.READY || s == EngineState.ERROR, waitLimit));
  }

  private Optional<EngineCommand> await(
      EngineCommand command, Predicate<CommandState> until, Duration limit) {
    CompletableFuture<EngineCommand> done = cluster.when(command.id(), until);
    try {
      return Optional.of(done.get(limit.toMillis(), TimeUnit.MILLISECONDS));
    } catch (java.util.concurrent.TimeoutException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    } catch (java.util.concurrent.ExecutionException e) {
      throw new SageException(
          ErrorCode.INTERNAL, "command " + command.id() + " could not be followed: " + e);
    } finally {
      done.cancel(false);
    }
  }

  private Map<String, Object> settledView(
      String engineId, Predicate<EngineState> until, Duration limit) {
    CompletableFuture<ClusterEngine> settled = cluster.whenEngine(engineId, until);
    try {
      settled.get(limit.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      // answer with the state as it is; the caller sees it is not settled
    } finally {
      settled.cancel(false);
    }
    return view(engineId);
  }

  /** The engine as the store has it, with its node. */
  Map<String, Object> view(String engineId) {
    ClusterEngine engine =
        cluster
            .stored(engineId)
            .orElseThrow(
                () ->
                    new SageException(
                        ErrorCode.NOT_FOUND, "engine " + engineId + " is not registered"));
    Map<String, Object> view =
        new LinkedHashMap<>(EngineViews.info(new EngineSnapshot(engine.record(), 0), controlPlane));
    // node_id as in every engine view (the list, a local engine); node as in a start's answer
    view.put("node_id", engine.nodeId());
    view.put("node", engine.nodeId());
    return view;
  }

  /** 202: the command is written but its node has not carried it out yet. */
  private HttpResponse<?> pending(EngineCommand written) {
    EngineCommand command = cluster.command(written.id()).orElse(written);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("id", command.engineId());
    body.put("node", command.isPlaced() ? command.nodeId() : null);
    body.put("command_id", command.id());
    body.put("command", command.action().name().toLowerCase(java.util.Locale.ROOT));
    body.put("command_state", command.state().name().toLowerCase(java.util.Locale.ROOT));
    return HttpResponse.status(HttpStatus.ACCEPTED).body(body);
  }
}
