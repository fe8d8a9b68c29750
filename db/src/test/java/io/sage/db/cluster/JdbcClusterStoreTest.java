package io.sage.db.cluster;

import io.sage.db.TestDatabase;
import java.nio.file.Path;

/** The cluster store on the embedded H2 file database (one node: it always leads). */
class JdbcClusterStoreTest extends JdbcClusterStoreContract {
  @Override
  TestDatabase database(Path dataDir) {
    return TestDatabase.h2(dataDir);
  }
}
