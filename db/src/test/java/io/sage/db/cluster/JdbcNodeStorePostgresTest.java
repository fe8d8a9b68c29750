package io.sage.db.cluster;

import io.sage.db.TestDatabase;
import java.nio.file.Path;

/** Nodes on a real PostgreSQL (a throwaway cluster for the test run). */
class JdbcNodeStorePostgresTest extends JdbcNodeStoreContract {
  @Override
  TestDatabase database(Path dataDir) {
    return TestDatabase.postgres(dataDir);
  }
}
