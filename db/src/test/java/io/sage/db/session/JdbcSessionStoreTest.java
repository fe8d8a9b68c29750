package io.sage.db.session;

import io.sage.db.TestDatabase;
import java.nio.file.Path;

/** Sessions on the embedded H2 file database. */
class JdbcSessionStoreTest extends JdbcSessionStoreContract {
  @Override
  TestDatabase database(Path dataDir) {
    return TestDatabase.h2(dataDir);
  }
}
