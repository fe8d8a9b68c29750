package io.sage.db.usage;

import io.sage.host.usage.UsageRecord;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * The raw usage rows on the database (V28): appended as encoded batches to {@code usage_batches}
 * ({@link UsageBatchCodec}), read back newest first, and pruned batch by batch from the oldest.
 * Rows written before V28 stay in {@code usage_records} and are read and pruned after the batches.
 * Runs inside the caller's transaction.
 */
final class UsageBatches {
  private static final String INSERT =
      "INSERT INTO usage_batches (first_at, last_at, row_count, records) VALUES (?, ?, ?, ?)";
  private static final int PRUNE_PAGE = 100;
  private static final int RECENT_PAGE = 8;

  private UsageBatches() {}

  /** Appends the rows as one batch (or a few, when they do not fit one value). */
  static void append(Connection connection, List<UsageRecord> records) throws SQLException {
    List<UsageBatchCodec.Encoded> batches = UsageBatchCodec.encode(records);
    try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
      for (UsageBatchCodec.Encoded b : batches) {
        insert.setLong(1, b.firstAt());
        insert.setLong(2, b.lastAt());
        insert.setInt(3, b.rowCount());
        insert.setString(4, b.text());
        if (batches.size() == 1) {
          insert.executeUpdate();
        } else {
          insert.addBatch();
        }
      }
      if (batches.size() > 1) {
        insert.executeBatch();
      }
    }
  }

  /** The newest {@code limit} rows, newest first. */
  static List<UsageRecord> recent(Connection connection, int limit) throws SQLException {
    List<UsageRecord> out = new ArrayList<>();
    long beforeId = Long.MAX_VALUE;
    // a few batches at a time, newest first: a batch may hold thousands of rows
    while (out.size() < limit) {
      int seen = 0;
      try (PreparedStatement select =
          connection.prepareStatement(
              "SELECT id, first_at, records FROM usage_batches WHERE id < ?"
                  + " ORDER BY id DESC LIMIT ?")) {
        select.setLong(1, beforeId);
        select.setInt(2, RECENT_PAGE);
        try (ResultSet rows = select.executeQuery()) {
          while (out.size() < limit && rows.next()) {
            seen++;
            beforeId = rows.getLong(1);
            List<UsageRecord> batch = UsageBatchCodec.decode(rows.getLong(2), rows.getString(3));
            for (int i = batch.size() - 1; i >= 0 && out.size() < limit; i--) {
              out.add(batch.get(i));
            }
          }
        }
      }
      if (seen < RECENT_PAGE) {
        break;
      }
    }
    if (out.size() < limit) {
      out.addAll(legacyRecent(connection, limit - out.size()));
    }
    return out;
  }

  /**
   * Deletes the rows that ended before {@code before}, oldest batches first, until at least {@code
   * limit} rows went or the oldest batch left is newer; returns how many rows went. A batch wholly
   * older goes at once; one that straddles {@code before} is rewritten with its newer rows. Batches
   * are appended in the order the writer commits them, so the walk from the lowest id stops at the
   * first batch with nothing to prune: a prune reads what it deletes, not the table.
   */
  static int prune(Connection connection, Instant before, int limit) throws SQLException {
    long cutoff = before.toEpochMilli();
    int removed = 0;
    long afterId = Long.MIN_VALUE;
    walk:
    while (removed < limit) {
      List<long[]> page = new ArrayList<>(PRUNE_PAGE);
      try (PreparedStatement select =
          connection.prepareStatement(
              "SELECT id, first_at, last_at, row_count FROM usage_batches WHERE id > ?"
                  + " ORDER BY id LIMIT ?")) {
        select.setLong(1, afterId);
        select.setInt(2, PRUNE_PAGE);
        try (ResultSet rows = select.executeQuery()) {
          while (rows.next()) {
            page.add(
                new long[] {rows.getLong(1), rows.getLong(2), rows.getLong(3), rows.getInt(4)});
          }
        }
      }
      if (page.isEmpty()) {
        break;
      }
      for (long[] batch : page) {
        if (batch[1] >= cutoff || removed >= limit) {
          break walk;
        }
        afterId = batch[0];
        removed += batch[2] < cutoff ? delete(connection, batch) : trim(connection, batch, cutoff);
      }
    }
    if (removed < limit) {
      removed += legacyPrune(connection, before, limit - removed);
    }
    return removed;
  }

  private static int delete(Connection connection, long[] batch) throws SQLException {
    try (PreparedStatement delete =
        connection.prepareStatement("DELETE FROM usage_batches WHERE id = ?")) {
      delete.setLong(1, batch[0]);
      delete.executeUpdate();
    }
    return (int) batch[3];
  }

  /** Rewrites a batch that straddles the cutoff with its rows from the cutoff on. */
  private static int trim(Connection connection, long[] batch, long cutoff) throws SQLException {
    List<UsageRecord> rows;
    try (PreparedStatement select =
        connection.prepareStatement("SELECT records FROM usage_batches WHERE id = ?")) {
      select.setLong(1, batch[0]);
      try (ResultSet result = select.executeQuery()) {
        result.next();
        rows = UsageBatchCodec.decode(batch[1], result.getString(1));
      }
    }
    List<UsageRecord> kept = new ArrayList<>(rows.size());
    for (UsageRecord r : rows) {
      if (r.at().toEpochMilli() >= cutoff) {
        kept.add(r);
      }
    }
    // kept is not empty (last_at >= cutoff) and fits one value (it was one)
    UsageBatchCodec.Encoded encoded = UsageBatchCodec.encode(kept).get(0);
    try (PreparedStatement update =
        connection.prepareStatement(
            "UPDATE usage_batches SET first_at = ?, last_at = ?, row_count = ?, records = ?"
                + " WHERE id = ?")) {
      update.setLong(1, encoded.firstAt());
      update.setLong(2, encoded.lastAt());
      update.setInt(3, encoded.rowCount());
      update.setString(4, encoded.text());
      update.setLong(5, batch[0]);
      update.executeUpdate();
    }
    return rows.size() - kept.size();
  }

  /** Rows of {@code usage_records} (written before V28), newest first. */
  private static List<UsageRecord> legacyRecent(Connection connection, int limit)
      throws SQLException {
    List<UsageRecord> out = new ArrayList<>();
    try (PreparedStatement select =
        connection.prepareStatement(
            "SELECT at, key_id, model, engine_id, route, status, prompt_tokens,"
                + " completion_tokens, ttfb_ms, duration_ms FROM usage_records"
                + " ORDER BY id DESC LIMIT ?")) {
      select.setInt(1, limit);
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          long ttfb = rows.getLong(9);
          boolean noTtfb = rows.wasNull();
          out.add(
              new UsageRecord(
                  rows.getObject(1, OffsetDateTime.class).toInstant(),
                  rows.getString(2),
                  rows.getString(3),
                  rows.getString(4),
                  rows.getString(5),
                  rows.getInt(6),
                  rows.getLong(7),
                  rows.getLong(8),
                  noTtfb ? -1 : ttfb,
                  rows.getLong(10)));
        }
      }
    }
    return out;
  }

  /** Deletes up to {@code limit} rows of {@code usage_records} older than {@code before}. */
  private static int legacyPrune(Connection connection, Instant before, int limit)
      throws SQLException {
    try (PreparedStatement delete =
        connection.prepareStatement(
            // no index on at (V25): ids grow with time, so this walks the primary key from the
            // oldest row; the table only shrinks (nothing is written to it since V28)
            "DELETE FROM usage_records WHERE id IN (SELECT id FROM usage_records"
                + " WHERE at < ? ORDER BY id LIMIT ?)")) {
      delete.setObject(1, before.atOffset(ZoneOffset.UTC));
      delete.setInt(2, limit);
      return delete.executeUpdate();
    }
  }
}
