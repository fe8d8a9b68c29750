package io.sage.db.usage;

import io.sage.db.TestDatabase;
import java.nio.file.Path;

/** Usage and key limits on the embedded H2 file database. */
class JdbcUsageStoreTest extends JdbcUsageStoreContract {
  @Override
  TestDatabase database(Path dataDir) {
    return TestDatabase.h2(dataDir);
  }
}
