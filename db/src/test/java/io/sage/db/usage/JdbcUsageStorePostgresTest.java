package io.sage.db.usage;

import io.sage.db.TestDatabase;
import java.nio.file.Path;

/** Usage and key limits on a real PostgreSQL (a throwaway cluster for the test run). */
class JdbcUsageStorePostgresTest extends JdbcUsageStoreContract {
  @Override
  TestDatabase database(Path dataDir) {
    return TestDatabase.postgres(dataDir);
  }
}
