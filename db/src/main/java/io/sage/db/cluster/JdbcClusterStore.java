package io.sage.db.cluster;

import io.micronaut.transaction.TransactionOperations;
import io.sage.db.DurableWrites;
import io.sage.db.engine.JdbcEngineStore;
import io.sage.host.cluster.ClusterEngine;
import io.sage.host.cluster.CommandAction;
import io.sage.host.cluster.CommandState;
import io.sage.host.cluster.EngineCommand;
import io.sage.host.cluster.LeaderLease;
import io.sage.host.cluster.ModelActivity;
import io.sage.host.engine.EngineEvent;
import io.sage.host.engine.EngineRecord;
import io.sage.host.engine.EngineState;
import io.sage.host.store.ClusterStore;
import io.sage.host.store.StaleLeaderException;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The leader lease ({@code cluster_leader}, one row), the commands between nodes ({@code
 * engine_commands}) and every node's engines, in plain JDBC: the lease's compare-and-set updates
 * are single portable statements, so two nodes racing for it cannot both win (the row lock of the
 * first update makes the second re-check its condition). A leader's write first updates the lease
 * row where its token is still current, in the same transaction: it holds that row until the
 * commit, so a takeover waits for it, and a stale token changes nothing.
 */
@Singleton
public class JdbcClusterStore implements ClusterStore {
  private static final String LEASE =
      "SELECT node_id, token, expires_at FROM cluster_leader WHERE id = 'leader'";
  private static final String COMMAND_COLUMNS =
      "id, node_id, engine_id, action, arguments, actor, state, leader_token, error_code,"
          + " error_message, error_param, created_at, updated_at";

  private final TransactionOperations<Connection> transactions;
  private final DurableWrites writes;
  private final JdbcEngineStore engines;

  JdbcClusterStore(
      TransactionOperations<Connection> transactions,
      DurableWrites writes,
      JdbcEngineStore engines) {
    this.transactions = transactions;
    this.writes = writes;
    this.engines = engines;
  }

  // the lease

  @Override
  public Optional<LeaderLease> leader() {
    return transactions.executeRead(status -> readLease(status.getConnection()));
  }

  private static Optional<LeaderLease> readLease(Connection connection) throws SQLException {
    try (PreparedStatement select = connection.prepareStatement(LEASE);
        ResultSet row = select.executeQuery()) {
      if (!row.next()) {
        return Optional.empty();
      }
      String node = row.getString(1);
      long token = row.getLong(2);
      OffsetDateTime expires = row.getObject(3, OffsetDateTime.class);
      if (node == null || expires == null || token < 1) {
        return Optional.empty();
      }
      return Optional.of(new LeaderLease(node, token, expires.toInstant()));
    }
  }

  @Override
  public Optional<LeaderLease> acquire(String nodeId, Instant now, Duration duration) {
    Objects.requireNonNull(nodeId, "nodeId");
    Instant until = now.plus(duration);
    return writes.write(
        () ->
            transactions.executeWrite(
                status -> {
                  Connection connection = status.getConnection();
                  try (PreparedStatement take =
                      connection.prepareStatement(
                          "UPDATE cluster_leader SET node_id = ?, token = token + 1,"
                              + " acquired_at = ?, expires_at = ? WHERE id = 'leader' AND"
                              + " (expires_at IS NULL OR expires_at <= ? OR node_id = ?)")) {
                    take.setString(1, nodeId);
                    take.setObject(2, utc(now));
                    take.setObject(3, utc(until));
                    take.setObject(4, utc(now));
                    take.setString(5, nodeId);
                    if (take.executeUpdate() == 0) {
                      return Optional.<LeaderLease>empty();
                    }
                  }
                  return readLease(connection).map(lease -> lease.renewedUntil(until));
                }));
  }

  @Override
  public Optional<LeaderLease> renew(LeaderLease lease, Instant now, Duration duration) {
    Instant until = now.plus(duration);
    int changed =
        writes.write(
            () ->
                transactions.executeWrite(
                    status -> {
                      try (PreparedStatement renew =
                          status
                              .getConnection()
                              .prepareStatement(
                                  "UPDATE cluster_leader SET expires_at = ? WHERE id = 'leader'"
                                      + " AND node_id = ? AND token = ?")) {
                        renew.setObject(1, utc(until));
                        renew.setString(2, lease.nodeId());
                        renew.setLong(3, lease.token());
                        return renew.executeUpdate();
                      }
                    }));
    return changed == 0 ? Optional.empty() : Optional.of(lease.renewedUntil(until));
  }

  @Override
  public void release(LeaderLease lease) {
    writes.write(
        () ->
            transactions.executeWrite(
                status -> {
                  try (PreparedStatement release =
                      status
                          .getConnection()
                          .prepareStatement(
                              "UPDATE cluster_leader SET expires_at = NULL WHERE id = 'leader'"
                                  + " AND node_id = ? AND token = ?")) {
                    release.setString(1, lease.nodeId());
                    release.setLong(2, lease.token());
                    return release.executeUpdate();
                  }
                }));
  }

  /**
   * Inside a write transaction: holds the lease row while the fence's token is current, else throws
   * (the transaction rolls back, nothing changes).
   */
  private static void fence(Connection connection, LeaderLease fence) throws SQLException {
    try (PreparedStatement hold =
        connection.prepareStatement(
            "UPDATE cluster_leader SET token = token WHERE id = 'leader' AND node_id = ?"
                + " AND token = ?")) {
      hold.setString(1, fence.nodeId());
      hold.setLong(2, fence.token());
      if (hold.executeUpdate() == 1) {
        return;
      }
    }
    String current =
        readLease(connection)
            .map(l -> "node " + l.nodeId() + " leads with token " + l.token())
            .orElse("nobody holds the lease now");
    throw new StaleLeaderException(fence.nodeId(), fence.token(), current);
  }

  // the cluster's engines

  @Override
  public List<ClusterEngine> engines() {
    Map<String, String> owners = owners(null);
    List<ClusterEngine> all = new ArrayList<>();
    for (EngineRecord record : engines.everyNodesEngines()) {
      all.add(new ClusterEngine(owners.get(record.id()), record));
    }
    return all;
  }

  @Override
  public Optional<ClusterEngine> engine(String engineId) {
    Objects.requireNonNull(engineId, "engineId");
    return engines
        .find(engineId)
        .map(record -> new ClusterEngine(owners(engineId).get(engineId), record));
  }

  @Override
  public List<EngineEvent> events(String engineId, int limit) {
    return engines.events(engineId, limit);
  }

  /** Engine id to node id, of one engine or (null) of all. */
  private Map<String, String> owners(String engineId) {
    return transactions.executeRead(
        status -> {
          try (PreparedStatement select =
              status
                  .getConnection()
                  .prepareStatement(
                      "SELECT id, node_id FROM engines"
                          + (engineId == null ? "" : " WHERE id = ?"))) {
            if (engineId != null) {
              select.setString(1, engineId);
            }
            Map<String, String> owners = new HashMap<>();
            try (ResultSet rows = select.executeQuery()) {
              while (rows.next()) {
                owners.put(rows.getString(1), rows.getString(2));
              }
            }
            return owners;
          }
        });
  }

  @Override
  public boolean failEngine(
      LeaderLease fence,
      String engineId,
      String nodeId,
      EngineState expected,
      String reason,
      Instant at) {
    EngineState to = expected == EngineState.DRAINING ? EngineState.STOPPED : EngineState.ERROR;
    return writes.write(
        () ->
            transactions.executeWrite(
                status -> {
                  Connection connection = status.getConnection();
                  fence(connection, fence);
                  try (PreparedStatement fail =
                      connection.prepareStatement(
                          "UPDATE engines SET state = ?, last_error = ?, updated_at = ?,"
                              + " state_since = ? WHERE id = ? AND node_id = ? AND state = ?")) {
                    fail.setString(1, to.name());
                    fail.setString(2, reason);
                    fail.setObject(3, utc(at));
                    fail.setObject(4, utc(at));
                    fail.setString(5, engineId);
                    fail.setString(6, nodeId);
                    fail.setString(7, expected.name());
                    if (fail.executeUpdate() == 0) {
                      return false;
                    }
                  }
                  try (PreparedStatement event =
                      connection.prepareStatement(
                          "INSERT INTO engine_events (engine_id, from_state, to_state, reason, at)"
                              + " VALUES (?, ?, ?, ?, ?)")) {
                    event.setString(1, engineId);
                    event.setString(2, expected.name());
                    event.setString(3, to.name());
                    event.setString(
                        4,
                        reason + " (leader " + fence.nodeId() + ", token " + fence.token() + ")");
                    event.setObject(5, utc(at));
                    event.executeUpdate();
                  }
                  // in the name of the engine's own node, so that every other node re-reads it
                  writes.announce(ChangeFeed.ENGINES, nodeId + " " + engineId);
                  return true;
                }));
  }

  // commands

  @Override
  public EngineCommand submit(EngineCommand command) {
    long id =
        writes.write(
            () ->
                transactions.executeWrite(
                    status -> {
                      try (PreparedStatement insert =
                          status
                              .getConnection()
                              .prepareStatement(
                                  "INSERT INTO engine_commands (node_id, engine_id, action,"
                                      + " arguments, actor, state, leader_token, created_at,"
                                      + " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                  new String[] {"id"})) {
                        setNode(insert, 1, command.nodeId());
                        insert.setString(2, command.engineId());
                        insert.setString(3, command.action().name());
                        insert.setString(4, command.arguments());
                        insert.setString(5, command.actor());
                        insert.setString(6, command.state().name());
                        insert.setLong(7, command.leaderToken());
                        insert.setObject(8, utc(command.createdAt()));
                        insert.setObject(9, utc(command.updatedAt()));
                        insert.executeUpdate();
                        try (ResultSet keys = insert.getGeneratedKeys()) {
                          keys.next();
                          return keys.getLong(1);
                        }
                      }
                    }));
    return command(id).orElseThrow();
  }

  @Override
  public Optional<EngineCommand> command(long id) {
    List<EngineCommand> found = selectCommands(" WHERE id = ?", s -> s.setLong(1, id));
    return found.stream().findFirst();
  }

  @Override
  public List<EngineCommand> commandsOf(String nodeId, CommandState state) {
    return selectCommands(
        " WHERE node_id = ? AND state = ? ORDER BY id",
        s -> {
          s.setString(1, nodeId);
          s.setString(2, state.name());
        });
  }

  @Override
  public List<EngineCommand> unplaced() {
    return selectCommands(
        " WHERE node_id IS NULL AND state = ? ORDER BY id",
        s -> s.setString(1, CommandState.PENDING.name()));
  }

  @Override
  public boolean place(LeaderLease fence, long commandId, String nodeId, Instant at) {
    return writes.write(
        () ->
            transactions.executeWrite(
                status -> {
                  Connection connection = status.getConnection();
                  fence(connection, fence);
                  try (PreparedStatement place =
                      connection.prepareStatement(
                          "UPDATE engine_commands SET node_id = ?, leader_token = ?,"
                              + " updated_at = ? WHERE id = ? AND node_id IS NULL AND state = ?")) {
                    place.setString(1, nodeId);
                    place.setLong(2, fence.token());
                    place.setObject(3, utc(at));
                    place.setLong(4, commandId);
                    place.setString(5, CommandState.PENDING.name());
                    return place.executeUpdate() == 1;
                  }
                }));
  }

  @Override
  public boolean advance(
      long commandId,
      CommandState from,
      CommandState to,
      EngineCommand.CommandError error,
      Instant at) {
    return writes.write(
        () ->
            transactions.executeWrite(
                status -> {
                  try (PreparedStatement advance =
                      status
                          .getConnection()
                          .prepareStatement(
                              "UPDATE engine_commands SET state = ?, error_code = ?,"
                                  + " error_message = ?, error_param = ?, updated_at = ?"
                                  + " WHERE id = ? AND state = ?")) {
                    advance.setString(1, to.name());
                    advance.setString(2, error == null ? null : error.code());
                    advance.setString(3, error == null ? null : error.message());
                    advance.setString(4, error == null ? null : error.param());
                    advance.setObject(5, utc(at));
                    advance.setLong(6, commandId);
                    advance.setString(7, from.name());
                    return advance.executeUpdate() == 1;
                  }
                }));
  }

  @FunctionalInterface
  private interface Binder {
    void bind(PreparedStatement statement) throws SQLException;
  }

  @Override
  public List<EngineCommand> openCommands() {
    return selectCommands(
        " WHERE state IN (?, ?) ORDER BY id",
        s -> {
          s.setString(1, CommandState.PENDING.name());
          s.setString(2, CommandState.RUNNING.name());
        });
  }

  @Override
  public int pruneCommands(LeaderLease fence, Instant before) {
    return writes.write(
        () ->
            transactions.executeWrite(
                status -> {
                  Connection connection = status.getConnection();
                  fence(connection, fence);
                  try (PreparedStatement prune =
                      connection.prepareStatement(
                          "DELETE FROM engine_commands WHERE state IN (?, ?) AND updated_at < ?")) {
                    prune.setString(1, CommandState.DONE.name());
                    prune.setString(2, CommandState.FAILED.name());
                    prune.setObject(3, utc(before));
                    return prune.executeUpdate();
                  }
                }));
  }

  // the declared models' activity

  @Override
  public void publishActivity(String nodeId, List<ModelActivity> rows) {
    Objects.requireNonNull(nodeId, "nodeId");
    transactions.executeWrite(
        status -> {
          Connection connection = status.getConnection();
          try (PreparedStatement delete =
              connection.prepareStatement("DELETE FROM model_activity WHERE node_id = ?")) {
            delete.setString(1, nodeId);
            delete.executeUpdate();
          }
          try (PreparedStatement insert =
              connection.prepareStatement(
                  "INSERT INTO model_activity (node_id, model, last_used_at, waiting, in_flight,"
                      + " updated_at) VALUES (?, ?, ?, ?, ?, ?)")) {
            for (ModelActivity row : rows) {
              if (!row.nodeId().equals(nodeId)) {
                throw new IllegalArgumentException(
                    "node " + nodeId + " cannot write node " + row.nodeId() + "'s activity");
              }
              insert.setString(1, nodeId);
              insert.setString(2, row.model());
              if (row.lastUsedAt() == null) {
                insert.setNull(3, Types.TIMESTAMP_WITH_TIMEZONE);
              } else {
                insert.setObject(3, utc(row.lastUsedAt()));
              }
              insert.setInt(4, row.waiting());
              insert.setInt(5, row.inFlight());
              insert.setObject(6, utc(row.updatedAt()));
              insert.addBatch();
            }
            insert.executeBatch();
          }
          return null;
        });
  }

  @Override
  public List<ModelActivity> activity() {
    return transactions.executeRead(
        status -> {
          try (PreparedStatement select =
                  status
                      .getConnection()
                      .prepareStatement(
                          "SELECT node_id, model, last_used_at, waiting, in_flight, updated_at"
                              + " FROM model_activity ORDER BY node_id, model");
              ResultSet rows = select.executeQuery()) {
            List<ModelActivity> out = new ArrayList<>();
            while (rows.next()) {
              OffsetDateTime used = rows.getObject(3, OffsetDateTime.class);
              out.add(
                  new ModelActivity(
                      rows.getString(1),
                      rows.getString(2),
                      used == null ? null : used.toInstant(),
                      rows.getInt(4),
                      rows.getInt(5),
                      rows.getObject(6, OffsetDateTime.class).toInstant()));
            }
            return out;
          }
        });
  }

  private List<EngineCommand> selectCommands(String where, Binder binder) {
    return transactions.executeRead(
        status -> {
          try (PreparedStatement select =
              status
                  .getConnection()
                  .prepareStatement(
                      "SELECT " + COMMAND_COLUMNS + " FROM engine_commands" + where)) {
            binder.bind(select);
            List<EngineCommand> commands = new ArrayList<>();
            try (ResultSet rows = select.executeQuery()) {
              while (rows.next()) {
                commands.add(command(rows));
              }
            }
            return commands;
          }
        });
  }

  private static EngineCommand command(ResultSet row) throws SQLException {
    String code = row.getString(9);
    return new EngineCommand(
        row.getLong(1),
        row.getString(2),
        row.getString(3),
        CommandAction.valueOf(row.getString(4)),
        row.getString(5),
        row.getString(6),
        CommandState.valueOf(row.getString(7)),
        row.getLong(8),
        code == null
            ? null
            : new EngineCommand.CommandError(
                code, Objects.toString(row.getString(10), ""), row.getString(11)),
        row.getObject(12, OffsetDateTime.class).toInstant(),
        row.getObject(13, OffsetDateTime.class).toInstant());
  }

  private static void setNode(PreparedStatement statement, int index, String nodeId)
      throws SQLException {
    if (nodeId == null || nodeId.isEmpty()) {
      statement.setNull(index, Types.VARCHAR);
    } else {
      statement.setString(index, nodeId);
    }
  }

  private static OffsetDateTime utc(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }
}
