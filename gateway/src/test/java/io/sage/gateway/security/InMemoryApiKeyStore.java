package io.sage.gateway.security;

import io.sage.host.security.StoredApiKey;
import io.sage.host.store.ApiKeyStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A hand-written {@link ApiKeyStore} in memory; a revoke can be made to fail once. */
final class InMemoryApiKeyStore implements ApiKeyStore {
  private final Map<String, StoredApiKey> keys = new LinkedHashMap<>();
  private boolean failNextRevoke;
  private boolean down;

  /** Every read fails while the database is down. */
  synchronized void setDown(boolean down) {
    this.down = down;
  }

  void failNextRevoke() {
    failNextRevoke = true;
  }

  @Override
  public synchronized void insert(StoredApiKey key) {
    if (keys.putIfAbsent(key.id(), key) != null) {
      throw new IllegalStateException("key " + key.id() + " exists");
    }
  }

  @Override
  public synchronized List<StoredApiKey> findAll() {
    if (down) {
      throw new IllegalStateException("the database is unreachable");
    }
    return new ArrayList<>(keys.values());
  }

  @Override
  public synchronized Optional<StoredApiKey> find(String id) {
    return Optional.ofNullable(keys.get(id));
  }

  @Override
  public synchronized boolean revoke(String id, Instant at) {
    if (failNextRevoke) {
      failNextRevoke = false;
      throw new IllegalStateException("database unavailable");
    }
    StoredApiKey key = keys.get(id);
    if (key == null || !key.active()) {
      return false;
    }
    keys.put(id, copy(key, key.lastUsedAt(), at));
    return true;
  }

  @Override
  public synchronized void touch(String id, Instant at) {
    StoredApiKey key = keys.get(id);
    if (key != null) {
      keys.put(id, copy(key, at, key.revokedAt()));
    }
  }

  private static StoredApiKey copy(StoredApiKey key, Instant lastUsedAt, Instant revokedAt) {
    return new StoredApiKey(
        key.id(),
        key.name(),
        key.scope(),
        key.models(),
        key.keyHash(),
        key.createdAt(),
        lastUsedAt,
        revokedAt);
  }
}
