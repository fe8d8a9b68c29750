package io.sage.host.cluster;

import io.sage.host.engine.EngineRecord;
import io.sage.host.engine.EngineState;
import io.sage.host.store.ClusterStore;
import io.sage.host.store.StaleLeaderException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The cluster port in memory, with the JDBC store's rules: the lease taken when free, expired or
 * the node's own, the token one more at each take; renewals and leader writes refused for a token
 * that is no longer current. It can be told to fail, as an unreachable database does.
 */
final class InMemoryClusterStore implements ClusterStore {
  private String leaderNode;
  private long token;
  private Instant expiresAt;
  final Map<String, ClusterEngine> engines = new LinkedHashMap<>();
  final Map<Long, EngineCommand> commands = new LinkedHashMap<>();
  final List<String> failed = new ArrayList<>();
  private long nextId = 1;
  volatile boolean down;

  private void check() {
    if (down) {
      throw new IllegalStateException("database unreachable");
    }
  }

  @Override
  public synchronized Optional<LeaderLease> leader() {
    check();
    return leaderNode == null || expiresAt == null
        ? Optional.empty()
        : Optional.of(new LeaderLease(leaderNode, token, expiresAt));
  }

  @Override
  public synchronized Optional<LeaderLease> acquire(String nodeId, Instant now, Duration duration) {
    check();
    if (expiresAt != null && expiresAt.isAfter(now) && !nodeId.equals(leaderNode)) {
      return Optional.empty();
    }
    leaderNode = nodeId;
    token++;
    expiresAt = now.plus(duration);
    return leader();
  }

  @Override
  public synchronized Optional<LeaderLease> renew(LeaderLease lease, Instant now, Duration d) {
    check();
    if (!lease.nodeId().equals(leaderNode) || lease.token() != token) {
      return Optional.empty();
    }
    expiresAt = now.plus(d);
    return leader();
  }

  @Override
  public synchronized void release(LeaderLease lease) {
    check();
    if (lease.nodeId().equals(leaderNode) && lease.token() == token) {
      expiresAt = null;
    }
  }

  private void fence(LeaderLease fence) {
    if (!fence.nodeId().equals(leaderNode) || fence.token() != token) {
      throw new StaleLeaderException(fence.nodeId(), fence.token(), "current token " + token);
    }
  }

  synchronized void put(String nodeId, EngineRecord record) {
    engines.put(record.id(), new ClusterEngine(nodeId, record));
  }

  @Override
  public synchronized List<ClusterEngine> engines() {
    check();
    return List.copyOf(engines.values());
  }

  @Override
  public synchronized Optional<ClusterEngine> engine(String engineId) {
    check();
    return Optional.ofNullable(engines.get(engineId));
  }

  @Override
  public List<io.sage.host.engine.EngineEvent> events(String engineId, int limit) {
    return List.of();
  }

  @Override
  public synchronized boolean failEngine(
      LeaderLease fence,
      String engineId,
      String nodeId,
      EngineState expected,
      String reason,
      Instant at) {
    check();
    fence(fence);
    ClusterEngine engine = engines.get(engineId);
    if (engine == null || !engine.nodeId().equals(nodeId) || engine.record().state() != expected) {
      return false;
    }
    EngineState to = expected == EngineState.DRAINING ? EngineState.STOPPED : EngineState.ERROR;
    EngineRecord record = engine.record().withState(to, at);
    if (to == EngineState.ERROR) {
      record = record.withLastError(reason, at);
    }
    engines.put(engineId, new ClusterEngine(nodeId, record));
    failed.add(engineId + ": " + reason);
    return true;
  }

  @Override
  public synchronized EngineCommand submit(EngineCommand c) {
    check();
    EngineCommand stored =
        new EngineCommand(
            nextId++,
            c.nodeId(),
            c.engineId(),
            c.action(),
            c.arguments(),
            c.actor(),
            c.state(),
            c.leaderToken(),
            c.error(),
            c.createdAt(),
            c.updatedAt());
    commands.put(stored.id(), stored);
    return stored;
  }

  @Override
  public synchronized Optional<EngineCommand> command(long id) {
    check();
    return Optional.ofNullable(commands.get(id));
  }

  @Override
  public synchronized List<EngineCommand> commandsOf(String nodeId, CommandState state) {
    check();
    return commands.values().stream()
        .filter(c -> c.nodeId().equals(nodeId) && c.state() == state)
        .toList();
  }

  @Override
  public synchronized List<EngineCommand> unplaced() {
    check();
    return commands.values().stream()
        .filter(c -> !c.isPlaced() && c.state() == CommandState.PENDING)
        .toList();
  }

  @Override
  public synchronized boolean place(LeaderLease fence, long commandId, String nodeId, Instant at) {
    check();
    fence(fence);
    EngineCommand c = commands.get(commandId);
    if (c == null || c.isPlaced() || c.state() != CommandState.PENDING) {
      return false;
    }
    commands.put(
        commandId,
        new EngineCommand(
            c.id(),
            nodeId,
            c.engineId(),
            c.action(),
            c.arguments(),
            c.actor(),
            c.state(),
            fence.token(),
            c.error(),
            c.createdAt(),
            at));
    return true;
  }

  @Override
  public synchronized boolean advance(
      long commandId,
      CommandState from,
      CommandState to,
      EngineCommand.CommandError error,
      Instant at) {
    check();
    EngineCommand c = commands.get(commandId);
    if (c == null || c.state() != from) {
      return false;
    }
    commands.put(
        commandId,
        new EngineCommand(
            c.id(),
            c.nodeId(),
            c.engineId(),
            c.action(),
            c.arguments(),
            c.actor(),
            to,
            c.leaderToken(),
            error,
            c.createdAt(),
            at));
    return true;
  }

  final Map<String, List<ModelActivity>> activity = new LinkedHashMap<>();

  @Override
  public synchronized List<EngineCommand> openCommands() {
    check();
    return commands.values().stream()
        .filter(c -> c.state() == CommandState.PENDING || c.state() == CommandState.RUNNING)
        .toList();
  }

  @Override
  public synchronized int pruneCommands(LeaderLease fence, Instant before) {
    check();
    fence(fence);
    int before0 = commands.size();
    commands
        .values()
        .removeIf(
            c ->
                (c.state() == CommandState.DONE || c.state() == CommandState.FAILED)
                    && c.updatedAt().isBefore(before));
    return before0 - commands.size();
  }

  @Override
  public synchronized void publishActivity(String nodeId, List<ModelActivity> rows) {
    check();
    activity.put(nodeId, List.copyOf(rows));
  }

  @Override
  public synchronized List<ModelActivity> activity() {
    check();
    return activity.values().stream().flatMap(List::stream).toList();
  }
}
