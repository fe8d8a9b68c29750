package io.sage.db.models;

import static org.assertj.core.api.Assertions.assertThat;

import io.micronaut.context.ApplicationContext;
import io.sage.db.TestDatabases;
import io.sage.host.store.ModelStore;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Declarations and load times on a real H2 file with the real migrations, across a restart. */
class JdbcModelStoreTest {
  private static final Instant T0 = Instant.parse("2025-01-02T03:04:05Z");

  @Test
  void declarationsAreReplacedWholeAndSurviveARestart(@TempDir Path dataDir) {
    ModelStore.Row group = new ModelStore.Row("group", "big", "file", "{\"max_loaded\":1}", T0);
    ModelStore.Row qwen =
        new ModelStore.Row("model", "qwen", "file", "{\"model\":\"q\",\"runtime\":\"mock\"}", T0);
    ModelStore.Row api =
        new ModelStore.Row("model", "api-one", "api", "{\"model\":\"a\",\"runtime\":\"mock\"}", T0);
    try (ApplicationContext context = TestDatabases.start(dataDir)) {
      JdbcModelStore store = context.getBean(JdbcModelStore.class);
      store.replaceAll(List.of(group, qwen, api));
      store.replaceAll(List.of(group, qwen));
      store.recordLoad("qwen", 3100, T0);
      store.recordLoad("qwen", 2900, T0.plusSeconds(60));
      store.recordLoad("other", 1, T0);
    }
    try (ApplicationContext context = TestDatabases.start(dataDir)) {
      JdbcModelStore store = context.getBean(JdbcModelStore.class);
      assertThat(store.findAll()).containsExactly(qwen, group);
      assertThat(store.recentLoads("qwen", 5)).containsExactly(2900L, 3100L);
      assertThat(store.recentLoads("qwen", 1)).containsExactly(2900L);
    }
  }
}
