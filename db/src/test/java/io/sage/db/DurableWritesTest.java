package io.sage.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micronaut.context.ApplicationContext;
import io.micronaut.core.type.Argument;
import io.micronaut.transaction.TransactionOperations;
import io.sage.host.audit.AuditEntry;
import io.sage.host.audit.AuditQuery;
import io.sage.host.store.EngineStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DurableWritesTest {
  private static final AuditEntry ENTRY =
      new AuditEntry(
          0,
          Instant.parse("2025-01-01T00:00:00Z"),
          "key-1",
          "engine.start",
          "eng-000000000001",
          "ok",
          null);
  private static final AuditQuery ALL = new AuditQuery(null, null, null, 10, 0);

  @TempDir Path dataDir;
  private ApplicationContext context;
  private EngineStore store;
  private TransactionOperations<Connection> transactions;

  @BeforeEach
  void start() {
    context = TestDatabases.start(dataDir);
    store = context.getBean(EngineStore.class);
    transactions = context.getBean(Argument.of(TransactionOperations.class, Connection.class));
  }

  @AfterEach
  void stop() {
    context.close();
  }

  @Test
  void writeReturnsTheWorksResult() {
    DurableWrites writes = context.getBean(DurableWrites.class);

    assertThat(writes.write(() -> 42)).isEqualTo(42);
  }

  @Test
  void insideACallersTransactionNothingCommitsBeforeTheCallerDoes() {
    // the write joins the caller's transaction: the caller's rollback takes it back too
    assertThatThrownBy(
            () ->
                transactions.executeWrite(
                    status -> {
                      store.audit(ENTRY);
                      throw new IllegalStateException("caller fails after the write");
                    }))
        .hasMessageContaining("caller fails");

    assertThat(store.audit(ALL)).isEmpty();
  }

  @Test
  void insideACallersTransactionTheWriteCommitsWithIt() {
    transactions.executeWrite(
        status -> {
          store.audit(ENTRY);
          return null;
        });

    assertThat(store.audit(ALL)).hasSize(1);
  }
}
