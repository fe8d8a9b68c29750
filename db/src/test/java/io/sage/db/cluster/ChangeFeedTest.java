package io.sage.db.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.micronaut.context.ApplicationContext;
import io.sage.db.TestDatabase;
import io.sage.host.store.ClusterChanges;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** On H2 (one node) the change feed is inert: no thread, no connection, nothing announced. */
class ChangeFeedTest {
  @TempDir Path dataDir;

  @Test
  void onH2TheFeedStartsNoThread() throws Exception {
    try (ApplicationContext context =
        TestDatabase.h2(dataDir).start(Map.of("sage.node.id", "node-a"))) {
      ClusterChanges feed = context.getBean(ClusterChanges.class);
      try (AutoCloseable subscription = feed.subscribe(new ClusterChanges.Listener() {})) {
        assertThat(Thread.getAllStackTraces().keySet())
            .noneMatch(t -> t.getName().equals("sage-change-feed"));
      }
    }
  }
}
