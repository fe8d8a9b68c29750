package io.sage.db.cluster;

import io.sage.db.TestDatabase;
import java.nio.file.Path;

/** Nodes on the embedded H2 file database. */
class JdbcNodeStoreTest extends JdbcNodeStoreContract {
  @Override
  TestDatabase database(Path dataDir) {
    return TestDatabase.h2(dataDir);
  }
}
