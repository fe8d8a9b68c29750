package io.sage.db.security;

import io.sage.db.DurableWrites;
import io.sage.db.cluster.ChangeFeed;
import io.sage.host.security.StoredApiKey;
import io.sage.host.store.ApiKeyStore;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code api_keys} table. Writes have reached the database file when they return, so a
 * revocation survives a crash of the gateway right after it was acknowledged. A creation or a
 * revocation is announced to the other nodes on PostgreSQL ({@link ChangeFeed#API_KEYS}), which
 * re-read the keys.
 */
@Singleton
public class JdbcApiKeyStore implements ApiKeyStore {
  private final ApiKeyRowRepository rows;
  private final DurableWrites writes;

  JdbcApiKeyStore(ApiKeyRowRepository rows, DurableWrites writes) {
    this.rows = rows;
    this.writes = writes;
  }

  @Override
  public void insert(StoredApiKey key) {
    ApiKeyRow row = ApiKeyRow.of(Objects.requireNonNull(key, "key"));
    writes.write(
        () -> {
          rows.save(row);
          writes.announce(ChangeFeed.API_KEYS, key.id());
        });
  }

  /** Every key, revoked ones too, oldest first. */
  @Override
  public List<StoredApiKey> findAll() {
    return rows.findAllOldestFirst().stream().map(ApiKeyRow::toKey).toList();
  }

  @Override
  public Optional<StoredApiKey> find(String id) {
    return rows.findById(Objects.requireNonNull(id, "id")).map(ApiKeyRow::toKey);
  }

  /** Marks the key revoked; false when it does not exist or was already revoked. */
  @Override
  public boolean revoke(String id, Instant at) {
    return writes.write(
            () -> {
              long changed = rows.revoke(id, at);
              writes.announce(ChangeFeed.API_KEYS, id);
              return changed;
            })
        > 0;
  }

  /** Records a use; not made durable at once: losing the last minute of use times costs nothing. */
  @Override
  public void touch(String id, Instant at) {
    rows.touch(id, at);
  }
}
