package io.sage.db.security;

import io.sage.db.TestDatabase;
import java.nio.file.Path;

/** API keys on the embedded H2 file database. */
class JdbcApiKeyStoreTest extends JdbcApiKeyStoreContract {
  @Override
  TestDatabase database(Path dataDir) {
    return TestDatabase.h2(dataDir);
  }
}
