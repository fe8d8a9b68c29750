package io.sage.db.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micronaut.context.ApplicationContext;
import io.sage.db.TestDatabases;
import io.sage.host.security.StoredApiKey;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** API keys on a real H2 file with the real migrations; a revocation survives a restart. */
class JdbcApiKeyStoreTest {
  private static final Instant T0 = Instant.parse("2025-01-02T03:04:05.000000001Z");
  private static final String HASH_A = "a".repeat(64);
  private static final String HASH_B = "0123456789abcdef".repeat(4);

  @Test
  void keysRoundTripAndRevocationIsDurable(@TempDir Path dataDir) {
    StoredApiKey admin =
        new StoredApiKey("key-0001", "bootstrap", "admin", List.of(), HASH_A, T0, null, null);
    StoredApiKey limited =
        new StoredApiKey(
            "key-0002",
            "chat app",
            "inference",
            List.of("m1", "org/m-2"),
            HASH_B,
            T0.plusSeconds(1),
            null,
            null);
    try (ApplicationContext context = TestDatabases.start(dataDir)) {
      JdbcApiKeyStore store = context.getBean(JdbcApiKeyStore.class);
      store.insert(admin);
      store.insert(limited);
      store.touch("key-0002", T0.plusSeconds(5));

      assertThat(store.findAll())
          .extracting(StoredApiKey::id)
          .containsExactly("key-0001", "key-0002");
      assertThat(store.find("key-0002").orElseThrow().models()).containsExactly("m1", "org/m-2");
      assertThat(store.find("key-0001").orElseThrow()).isEqualTo(admin);
      assertThat(store.revoke("key-0002", T0.plusSeconds(9))).isTrue();
      assertThat(store.revoke("key-0002", T0.plusSeconds(10))).as("already revoked").isFalse();
      assertThat(store.revoke("key-none", T0)).isFalse();
    }
    try (ApplicationContext again = TestDatabases.start(dataDir)) {
      StoredApiKey stored = again.getBean(JdbcApiKeyStore.class).find("key-0002").orElseThrow();
      assertThat(stored.revokedAt()).isEqualTo(T0.plusSeconds(9));
      assertThat(stored.lastUsedAt()).isEqualTo(T0.plusSeconds(5));
      assertThat(stored.active()).isFalse();
    }
  }

  @Test
  void metricsKeysAreStoredSinceV12(@TempDir Path dataDir) {
    StoredApiKey metrics =
        new StoredApiKey("key-0003", "prometheus", "metrics", List.of(), HASH_A, T0, null, null);
    try (ApplicationContext context = TestDatabases.start(dataDir)) {
      JdbcApiKeyStore store = context.getBean(JdbcApiKeyStore.class);
      store.insert(metrics);
      assertThat(store.find("key-0003").orElseThrow().scope()).isEqualTo("metrics");
    }
  }

  @Test
  void recordsRefuseBadScopesAndHashes() {
    assertThatThrownBy(
            () -> new StoredApiKey("key-1", "n", "root", List.of(), HASH_A, T0, null, null))
        .hasMessageContaining("key-1")
        .hasMessageContaining("scope");
    assertThatThrownBy(
            () -> new StoredApiKey("key-1", "n", "admin", List.of(), "sk-sage-raw", T0, null, null))
        .hasMessageContaining("hash");
  }
}
