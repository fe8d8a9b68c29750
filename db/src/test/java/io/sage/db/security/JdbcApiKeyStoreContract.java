package io.sage.db.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micronaut.context.ApplicationContext;
import io.sage.db.TestDatabase;
import io.sage.host.security.StoredApiKey;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * API keys on each real database with its real migrations ({@link JdbcApiKeyStoreTest}, {@link
 * JdbcApiKeyStorePostgresTest}); a revocation survives a restart.
 */
abstract class JdbcApiKeyStoreContract {
  /** Has a nanosecond, which PostgreSQL does not keep ({@link TestDatabase#stored}). */
  private static final Instant PRECISE = Instant.parse("2025-01-02T03:04:05.000000001Z");

  private static final String HASH_A = "a".repeat(64);
  private static final String HASH_B = "0123456789abcdef".repeat(4);

  abstract TestDatabase database(Path dataDir);

  @Test
  void keysRoundTripAndRevocationIsDurable(@TempDir Path dataDir) {
    TestDatabase database = database(dataDir);
    Instant t0 = database.stored(PRECISE);
    StoredApiKey admin =
        new StoredApiKey("key-0001", "bootstrap", "admin", List.of(), HASH_A, t0, null, null);
    StoredApiKey limited =
        new StoredApiKey(
            "key-0002",
            "chat app",
            "inference",
            List.of("m1", "org/m-2"),
            HASH_B,
            t0.plusSeconds(1),
            null,
            null);
    try (ApplicationContext context = database.start()) {
      JdbcApiKeyStore store = context.getBean(JdbcApiKeyStore.class);
      store.insert(admin);
      store.insert(limited);
      store.touch("key-0002", t0.plusSeconds(5));

      assertThat(store.findAll())
          .extracting(StoredApiKey::id)
          .containsExactly("key-0001", "key-0002");
      assertThat(store.find("key-0002").orElseThrow().models()).containsExactly("m1", "org/m-2");
      assertThat(store.find("key-0001").orElseThrow()).isEqualTo(admin);
      assertThat(store.revoke("key-0002", t0.plusSeconds(9))).isTrue();
      assertThat(store.revoke("key-0002", t0.plusSeconds(10))).as("already revoked").isFalse();
      assertThat(store.revoke("key-none", t0)).isFalse();
    }
    try (ApplicationContext again = database.start()) {
      StoredApiKey stored = again.getBean(JdbcApiKeyStore.class).find("key-0002").orElseThrow();
      assertThat(stored.revokedAt()).isEqualTo(t0.plusSeconds(9));
      assertThat(stored.lastUsedAt()).isEqualTo(t0.plusSeconds(5));
      assertThat(stored.active()).isFalse();
    }
  }

  @Test
  void metricsKeysAreStoredSinceV12(@TempDir Path dataDir) {
    TestDatabase database = database(dataDir);
    Instant t0 = database.stored(PRECISE);
    StoredApiKey metrics =
        new StoredApiKey("key-0003", "prometheus", "metrics", List.of(), HASH_A, t0, null, null);
    try (ApplicationContext context = database.start()) {
      JdbcApiKeyStore store = context.getBean(JdbcApiKeyStore.class);
      store.insert(metrics);
      assertThat(store.find("key-0003").orElseThrow().scope()).isEqualTo("metrics");
    }
  }

  @Test
  void recordsRefuseBadScopesAndHashes() {
    assertThatThrownBy(
            () -> new StoredApiKey("key-1", "n", "root", List.of(), HASH_A, PRECISE, null, null))
        .hasMessageContaining("key-1")
        .hasMessageContaining("scope");
    assertThatThrownBy(
            () ->
                new StoredApiKey(
                    "key-1", "n", "admin", List.of(), "sk-sage-raw", PRECISE, null, null))
        .hasMessageContaining("hash");
  }
}
