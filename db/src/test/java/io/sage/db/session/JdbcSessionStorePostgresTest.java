package io.sage.db.session;

import io.sage.db.TestDatabase;
import java.nio.file.Path;

/** Sessions on a real PostgreSQL (a throwaway cluster for the test run). */
class JdbcSessionStorePostgresTest extends JdbcSessionStoreContract {
  @Override
  TestDatabase database(Path dataDir) {
    return TestDatabase.postgres(dataDir);
  }
}
