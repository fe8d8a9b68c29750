package io.sage.db.engine;

import io.sage.db.TestDatabase;
import java.nio.file.Path;

/** The engine store on a real PostgreSQL (a throwaway cluster for the test run). */
class JdbcEngineStorePostgresTest extends JdbcEngineStoreContract {
  @Override
  TestDatabase database(Path dataDir) {
    return TestDatabase.postgres(dataDir);
  }
}
