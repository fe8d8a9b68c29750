package io.sage.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sage.host.security.StoredApiKey;
import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class ApiKeysTest {
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

  private final InMemoryApiKeyStore store = new InMemoryApiKeyStore();
  private final ApiKeys keys = new ApiKeys(store, CLOCK);

  @Test
  void aCreatedKeyAuthenticatesAndOnlyItsHashIsStored() {
    ApiKeys.Created created = keys.create("ci", "inference", List.of("m1", "m1", "m2"));

    assertThat(created.secret()).startsWith(ApiKeys.PREFIX);
    StoredApiKey stored = store.find(created.stored().id()).orElseThrow();
    assertThat(stored.keyHash())
        .isEqualTo(ApiKeys.hash(created.secret()))
        .doesNotContain(created.secret());
    assertThat(stored.models()).containsExactly("m1", "m2");
    assertThat(keys.authenticate(created.secret())).contains(created.stored());
    assertThat(keys.authenticate(created.secret() + "x")).isEmpty();
    assertThat(keys.authenticate("not-a-key")).isEmpty();
  }

  @Test
  void aRevokedKeyAuthenticatesNothingAndTheStoreRemembers() {
    keys.create("admin", "admin", List.of());
    ApiKeys.Created created = keys.create("ci", "inference", List.of());

    StoredApiKey revoked = keys.revoke(created.stored().id());

    assertThat(revoked.revokedAt()).isEqualTo(CLOCK.instant());
    assertThat(keys.authenticate(created.secret())).isEmpty();
    assertThat(new ApiKeys(store, CLOCK).authenticate(created.secret()))
        .as("a restarted gateway loads only active keys")
        .isEmpty();
    assertThatThrownBy(() -> keys.revoke(created.stored().id()))
        .isInstanceOfSatisfying(
            SageException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.ILLEGAL_STATE));
    assertThatThrownBy(() -> keys.revoke("key-nope"))
        .isInstanceOfSatisfying(
            SageException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
  }

  @Test
  void theLastActiveAdminKeyCannotBeRevoked() {
    ApiKeys.Created admin = keys.create("admin", "admin", List.of());

    assertThatThrownBy(() -> keys.revoke(admin.stored().id()))
        .hasMessageContaining("last active admin key");
    assertThat(keys.hasActiveAdmin()).isTrue();
  }

  @Test
  void aRevokeTheStoreRefusesLeavesTheKeyWorking() {
    keys.create("admin", "admin", List.of());
    ApiKeys.Created created = keys.create("ci", "inference", List.of());
    store.failNextRevoke();

    assertThatThrownBy(() -> keys.revoke(created.stored().id()))
        .hasMessageContaining("database unavailable");
    assertThat(keys.authenticate(created.secret())).isPresent();
  }

  @Test
  void everyProblemOfACreateRequestIsReportedAtOnce() {
    assertThatThrownBy(() -> keys.create(" ", "root", List.of("bad model!")))
        .hasMessageContaining("name is required")
        .hasMessageContaining("scope must be 'admin', 'inference' or 'metrics'")
        .hasMessageContaining("models entries must be model names");
    assertThat(store.findAll()).isEmpty();
  }

  @Test
  void keysCreatedOrRevokedByAnotherNodeOfTheDatabaseCountHereAfterAReload() {
    ApiKeys otherNode = new ApiKeys(store, CLOCK);
    ApiKeys.Created created = otherNode.create("ci", "inference", List.of());
    assertThat(keys.authenticate(created.secret())).as("not read yet").isEmpty();

    keys.reload();
    assertThat(keys.authenticate(created.secret()))
        .map(StoredApiKey::id)
        .contains(created.stored().id());

    otherNode.create("admin", "admin", List.of());
    otherNode.revoke(created.stored().id());
    keys.reload();
    assertThat(keys.authenticate(created.secret())).isEmpty();
    assertThat(keys.hasActiveAdmin()).isTrue();
  }

  @Test
  void aReloadWhileTheDatabaseIsDownKeepsTheKeysKnown() {
    ApiKeys.Created created = keys.create("ci", "inference", List.of());
    store.setDown(true);

    assertThatThrownBy(keys::reload).hasMessageContaining("unreachable");
    assertThat(keys.authenticate(created.secret()))
        .map(StoredApiKey::id)
        .contains(created.stored().id());

    store.setDown(false);
    keys.reload();
    assertThat(keys.authenticate(created.secret()))
        .map(StoredApiKey::id)
        .contains(created.stored().id());
  }
}
