package io.sage.db.audit;

import io.sage.db.TestDatabase;
import java.nio.file.Path;

/** The audit log on the embedded H2 file database. */
class JdbcAuditLogTest extends JdbcAuditLogContract {
  @Override
  TestDatabase database(Path dataDir) {
    return TestDatabase.h2(dataDir);
  }
}
