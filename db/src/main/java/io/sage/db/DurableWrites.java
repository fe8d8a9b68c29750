package io.sage.db;

import io.micronaut.context.annotation.Value;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.exceptions.DataAccessException;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.Supplier;

/**
 * Runs a write in one transaction and returns only once the commit is in the database file, so an
 * acknowledged write survives {@code kill -9} (docs/spec.md §4).
 *
 * <p>Why a {@code CHECKPOINT} after the commit: with {@code WRITE_DELAY=0} (see {@link H2Urls}) H2
 * writes the store when a transaction ends, but only through {@code MVStore.tryCommit()}, which
 * returns at once, without writing, while another thread's store write is in progress ("may return
 * BEFORE this thread changes are actually persisted", says its Javadoc). Two writers at the same
 * moment (a health check and a management call) would leave the second commit in memory until the
 * next write. {@code CHECKPOINT} waits for the store lock and writes whatever is still unsaved. It
 * does not fsync: a killed process cannot lose what reached the OS.
 *
 * <p>Every module writing to the gateway's database (sessions, API keys) should write through this
 * bean. {@code CHECKPOINT} needs H2 admin rights: the configured user must be the one that created
 * the database ({@code sa}).
 *
 * <p>On PostgreSQL a commit returns once its WAL record is flushed ({@code synchronous_commit} on,
 * the default), so there is nothing to add: no {@code CHECKPOINT} (which needs superuser rights
 * there and would flush every dirty page of the whole cluster). There a write may also {@link
 * #announce} itself to the other nodes (docs/cluster.md).
 */
@Singleton
public class DurableWrites {
  private final TransactionOperations<Connection> transactions;
  private final boolean checkpoint;
  private final boolean announces;

  @jakarta.inject.Inject
  DurableWrites(
      TransactionOperations<Connection> transactions,
      @Value("${datasources.default.url:}") @Nullable String url) {
    this(
        transactions,
        url == null || url.isBlank() || DatabaseVendor.of(url) == DatabaseVendor.H2,
        url != null && !url.isBlank() && DatabaseVendor.of(url) == DatabaseVendor.POSTGRESQL);
  }

  DurableWrites(TransactionOperations<Connection> transactions, boolean checkpoint) {
    this(transactions, checkpoint, false);
  }

  DurableWrites(
      TransactionOperations<Connection> transactions, boolean checkpoint, boolean announces) {
    this.transactions = transactions;
    this.checkpoint = checkpoint;
    this.announces = announces;
  }

  /**
   * On PostgreSQL, tells every node listening on {@code channel} ({@link
   * io.sage.db.cluster.ChangeFeed}) about {@code payload} when the current transaction commits (a
   * {@code NOTIFY} is part of its transaction: a rolled-back write announces nothing). Nothing on
   * H2, where one gateway is the only reader. Call inside {@link #write}.
   */
  public void announce(String channel, String payload) {
    if (!announces) {
      return;
    }
    try (PreparedStatement statement =
        transactions.getConnection().prepareStatement("SELECT pg_notify(?, ?)")) {
      statement.setString(1, channel);
      statement.setString(2, payload);
      statement.execute();
    } catch (SQLException e) {
      throw new DataAccessException(
          "cannot announce a change on " + channel + ": " + e.getMessage(), e);
    }
  }

  /** Runs {@code work} in a write transaction; returns after its commit reached the file. */
  public <T> T write(Supplier<T> work) {
    // inside a caller's transaction there is nothing committed yet: its owner commits later
    boolean outermost = transactions.findTransactionStatus().isEmpty();
    T result = transactions.executeWrite(status -> work.get());
    if (outermost && checkpoint) {
      transactions.executeWrite(status -> checkpoint(status.getConnection()));
    }
    return result;
  }

  /** Runs {@code work} in a write transaction; returns after its commit reached the file. */
  public void write(Runnable work) {
    write(
        () -> {
          work.run();
          return null;
        });
  }

  private static Void checkpoint(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute("CHECKPOINT");
    }
    return null;
  }
}
