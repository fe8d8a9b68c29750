package io.sage.db.engine;

import io.sage.db.TestDatabase;
import java.nio.file.Path;

/** The engine store on the embedded H2 file database. */
class JdbcEngineStoreTest extends JdbcEngineStoreContract {
  @Override
  TestDatabase database(Path dataDir) {
    return TestDatabase.h2(dataDir);
  }
}
