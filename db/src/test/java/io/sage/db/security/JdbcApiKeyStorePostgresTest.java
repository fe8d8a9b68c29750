package io.sage.db.security;

import io.sage.db.TestDatabase;
import java.nio.file.Path;

/** API keys on a real PostgreSQL (a throwaway cluster for the test run). */
class JdbcApiKeyStorePostgresTest extends JdbcApiKeyStoreContract {
  @Override
  TestDatabase database(Path dataDir) {
    return TestDatabase.postgres(dataDir);
  }
}
