package io.sage.db.usage;

import io.micronaut.transaction.TransactionOperations;
import io.sage.db.DurableWrites;
import io.sage.db.cluster.ChangeFeed;
import io.sage.host.store.KeyLimitStore;
import io.sage.host.usage.BudgetPeriod;
import io.sage.host.usage.KeyLimits;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The {@code key_limits} table; a write is durable when it returns, and announced to the other
 * nodes on PostgreSQL ({@link ChangeFeed#API_KEYS}).
 */
@Singleton
public class JdbcKeyLimitStore implements KeyLimitStore {
  private final TransactionOperations<Connection> transactions;
  private final DurableWrites writes;

  JdbcKeyLimitStore(TransactionOperations<Connection> transactions, DurableWrites writes) {
    this.transactions = transactions;
    this.writes = writes;
  }

  /** Stores the key's limits, replacing what it had; a key without limits loses its row. */
  @Override
  public void put(KeyLimits limits, Instant at) {
    Objects.requireNonNull(limits, "limits");
    writes.write(
        () ->
            transactions.executeWrite(
                status -> {
                  Connection connection = status.getConnection();
                  writes.announce(ChangeFeed.API_KEYS, limits.keyId());
                  try (PreparedStatement delete =
                      connection.prepareStatement("DELETE FROM key_limits WHERE key_id = ?")) {
                    delete.setString(1, limits.keyId());
                    delete.executeUpdate();
                  }
                  if (limits.equals(KeyLimits.none(limits.keyId()))) {
                    return null;
                  }
                  try (PreparedStatement insert =
                      connection.prepareStatement(
                          "INSERT INTO key_limits (key_id, rpm, tpm, budget_tokens,"
                              + " budget_period, weight, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                    insert.setString(1, limits.keyId());
                    setNullable(insert, 2, limits.rpm() == null ? null : limits.rpm().longValue());
                    setNullable(insert, 3, limits.tpm());
                    setNullable(insert, 4, limits.budgetTokens());
                    insert.setString(
                        5, limits.budgetPeriod() == null ? null : limits.budgetPeriod().wireName());
                    insert.setInt(6, limits.weight());
                    insert.setObject(7, at.atOffset(ZoneOffset.UTC));
                    insert.executeUpdate();
                  }
                  return null;
                }));
  }

  /** Every key's limits (keys without a row have none). */
  @Override
  public List<KeyLimits> findAll() {
    return transactions.executeRead(
        status -> {
          try (PreparedStatement select =
                  status
                      .getConnection()
                      .prepareStatement(
                          "SELECT key_id, rpm, tpm, budget_tokens, budget_period, weight"
                              + " FROM key_limits ORDER BY key_id");
              ResultSet rows = select.executeQuery()) {
            List<KeyLimits> out = new ArrayList<>();
            while (rows.next()) {
              int rpm = rows.getInt(2);
              Integer rpmValue = rows.wasNull() ? null : rpm;
              long tpm = rows.getLong(3);
              Long tpmValue = rows.wasNull() ? null : tpm;
              long budget = rows.getLong(4);
              Long budgetValue = rows.wasNull() ? null : budget;
              String period = rows.getString(5);
              out.add(
                  new KeyLimits(
                      rows.getString(1),
                      rpmValue,
                      tpmValue,
                      budgetValue,
                      period == null ? null : BudgetPeriod.parse(period),
                      rows.getInt(6)));
            }
            return out;
          }
        });
  }

  private static void setNullable(PreparedStatement statement, int index, Long value)
      throws SQLException {
    if (value == null) {
      statement.setNull(index, Types.BIGINT);
    } else {
      statement.setLong(index, value);
    }
  }
}
