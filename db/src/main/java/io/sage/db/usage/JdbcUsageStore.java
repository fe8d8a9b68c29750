package io.sage.db.usage;

import io.micronaut.transaction.TransactionOperations;
import io.sage.db.DurableWrites;
import io.sage.host.store.UsageStore;
import io.sage.host.usage.UsageQuery;
import io.sage.host.usage.UsageRecord;
import io.sage.host.usage.UsageTotals;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The usage tables: raw rows appended in batches ({@link UsageBatches}: one value per batch, not
 * one table row per request), roll-ups per (hour, key, model) summed per batch and updated in the
 * same transaction, reads from the roll-ups only, and pruning of old raw rows.
 */
@Singleton
public class JdbcUsageStore implements UsageStore {
  private static final String ADD_TO_HOUR =
      "UPDATE usage_hourly SET requests = requests + ?, errors = errors + ?,"
          + " prompt_tokens = prompt_tokens + ?, completion_tokens = completion_tokens + ?,"
          + " total_tokens = total_tokens + ? WHERE hour_epoch = ? AND key_id = ? AND model = ?";
  private static final String NEW_HOUR =
      "INSERT INTO usage_hourly (requests, errors, prompt_tokens, completion_tokens,"
          + " total_tokens, hour_epoch, key_id, model) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";

  private final TransactionOperations<Connection> transactions;
  private final DurableWrites writes;

  JdbcUsageStore(TransactionOperations<Connection> transactions, DurableWrites writes) {
    this.transactions = transactions;
    this.writes = writes;
  }

  /**
   * Appends the rows and adds them to their roll-ups in one transaction, durable when this returns.
   */
  @Override
  public void append(List<UsageRecord> records) {
    if (records.isEmpty()) {
      return;
    }
    writes.write(
        () ->
            transactions.executeWrite(
                status -> {
                  Connection connection = status.getConnection();
                  UsageBatches.append(connection, records);
                  addToRollUps(connection, rollUps(records));
                  return null;
                }));
  }

  /** The batch summed per (hour, key, model). */
  private static Map<HourKey, long[]> rollUps(List<UsageRecord> records) {
    Map<HourKey, long[]> sums = new LinkedHashMap<>();
    for (UsageRecord r : records) {
      long[] sum =
          sums.computeIfAbsent(new HourKey(r.hour(), r.keyId(), r.model()), k -> new long[5]);
      sum[0]++;
      sum[1] += r.status() >= 400 ? 1 : 0;
      sum[2] += r.promptTokens();
      sum[3] += r.completionTokens();
      sum[4] += r.totalTokens();
    }
    return sums;
  }

  private static void addToRollUps(Connection connection, Map<HourKey, long[]> sums)
      throws SQLException {
    List<Map.Entry<HourKey, long[]>> entries = new ArrayList<>(sums.entrySet());
    int[] updated;
    try (PreparedStatement update = connection.prepareStatement(ADD_TO_HOUR)) {
      for (Map.Entry<HourKey, long[]> e : entries) {
        bind(update, e.getKey(), e.getValue());
        update.addBatch();
      }
      updated = update.executeBatch();
    }
    // one writer (the usage writer thread): a row missing at the update is still missing now
    try (PreparedStatement insert = connection.prepareStatement(NEW_HOUR)) {
      boolean any = false;
      for (int i = 0; i < entries.size(); i++) {
        if (updated[i] == 0) {
          bind(insert, entries.get(i).getKey(), entries.get(i).getValue());
          insert.addBatch();
          any = true;
        }
      }
      if (any) {
        insert.executeBatch();
      }
    }
  }

  private static void bind(PreparedStatement statement, HourKey key, long[] sum)
      throws SQLException {
    for (int i = 0; i < 5; i++) {
      statement.setLong(i + 1, sum[i]);
    }
    statement.setLong(6, key.hour());
    statement.setString(7, key.keyId());
    statement.setString(8, key.model());
  }

  private record HourKey(long hour, String keyId, String model) {}

  /** Reads the roll-ups; rows ordered by the grouped values. */
  @Override
  public List<UsageTotals> query(UsageQuery query) {
    Objects.requireNonNull(query, "query");
    StringBuilder sql = new StringBuilder("SELECT ");
    for (UsageQuery.Dimension d : query.groupBy()) {
      sql.append(expression(d)).append(", ");
    }
    sql.append(
        "SUM(requests), SUM(errors), SUM(prompt_tokens), SUM(completion_tokens),"
            + " SUM(total_tokens) FROM usage_hourly WHERE hour_epoch >= ? AND hour_epoch < ?");
    if (query.keyId() != null) {
      sql.append(" AND key_id = ?");
    }
    if (query.model() != null) {
      sql.append(" AND model = ?");
    }
    if (!query.groupBy().isEmpty()) {
      StringBuilder columns = new StringBuilder();
      for (UsageQuery.Dimension d : query.groupBy()) {
        columns.append(columns.length() == 0 ? "" : ", ").append(expression(d));
      }
      sql.append(" GROUP BY ").append(columns).append(" ORDER BY ").append(columns);
    }
    return transactions.executeRead(
        status -> {
          try (PreparedStatement select = status.getConnection().prepareStatement(sql.toString())) {
            int p = 1;
            select.setLong(p++, query.firstHour());
            select.setLong(p++, query.endHour());
            if (query.keyId() != null) {
              select.setString(p++, query.keyId());
            }
            if (query.model() != null) {
              select.setString(p, query.model());
            }
            try (ResultSet rows = select.executeQuery()) {
              return totals(rows, query.groupBy());
            }
          }
        });
  }

  private static List<UsageTotals> totals(ResultSet rows, List<UsageQuery.Dimension> groupBy)
      throws SQLException {
    List<UsageTotals> out = new ArrayList<>();
    while (rows.next()) {
      String key = null;
      String model = null;
      Instant start = null;
      int c = 1;
      for (UsageQuery.Dimension d : groupBy) {
        switch (d) {
          case KEY -> key = rows.getString(c++);
          case MODEL -> model = rows.getString(c++);
          case HOUR -> start = Instant.ofEpochSecond(rows.getLong(c++) * 3600);
          case DAY -> start = Instant.ofEpochSecond(rows.getLong(c++) * 86_400);
        }
      }
      long requests = rows.getLong(c);
      if (requests == 0 && rows.wasNull()) {
        continue; // SUM over no rows, without GROUP BY
      }
      out.add(
          new UsageTotals(
              key,
              model,
              start,
              requests,
              rows.getLong(c + 1),
              rows.getLong(c + 2),
              rows.getLong(c + 3),
              rows.getLong(c + 4)));
    }
    return out;
  }

  /**
   * Total tokens per key in the hours from {@code since} (an hour boundary) on: what budgets have
   * spent, read once at startup.
   */
  @Override
  public Map<String, Long> tokensByKeySince(Instant since) {
    return transactions.executeRead(
        status -> {
          try (PreparedStatement select =
              status
                  .getConnection()
                  .prepareStatement(
                      "SELECT key_id, SUM(total_tokens) FROM usage_hourly WHERE hour_epoch >= ?"
                          + " GROUP BY key_id")) {
            select.setLong(1, Math.floorDiv(since.getEpochSecond(), 3600));
            Map<String, Long> spent = new HashMap<>();
            try (ResultSet rows = select.executeQuery()) {
              while (rows.next()) {
                spent.put(rows.getString(1), rows.getLong(2));
              }
            }
            return spent;
          }
        });
  }

  /**
   * Deletes the raw rows that ended before {@code before}, oldest first, in whole batches as the
   * writer committed them, until at least {@code limit} rows went; returns how many went.
   */
  @Override
  public int pruneRecords(Instant before, int limit) {
    return transactions.executeWrite(
        status -> UsageBatches.prune(status.getConnection(), before, limit));
  }

  /** Raw rows, newest first (for tests and inspection). */
  @Override
  public List<UsageRecord> recent(int limit) {
    return transactions.executeRead(status -> UsageBatches.recent(status.getConnection(), limit));
  }

  /** The column (or expression) of {@code usage_hourly} a dimension groups by. */
  private static String expression(UsageQuery.Dimension dimension) {
    return switch (dimension) {
      case KEY -> "key_id";
      case MODEL -> "model";
      case HOUR -> "hour_epoch";
      case DAY -> "hour_epoch / 24";
    };
  }
}
