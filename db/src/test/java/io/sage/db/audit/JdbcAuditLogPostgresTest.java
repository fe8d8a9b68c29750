package io.sage.db.audit;

import io.sage.db.TestDatabase;
import java.nio.file.Path;

/** The audit log on a real PostgreSQL (a throwaway cluster for the test run). */
class JdbcAuditLogPostgresTest extends JdbcAuditLogContract {
  @Override
  TestDatabase database(Path dataDir) {
    return TestDatabase.postgres(dataDir);
  }
}
