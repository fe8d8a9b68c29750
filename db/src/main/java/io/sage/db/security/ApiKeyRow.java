package io.sage.db.security;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import io.sage.host.security.StoredApiKey;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/** One row of {@code api_keys}. */
@MappedEntity(value = "api_keys", escape = false)
record ApiKeyRow(
    @Id String id,
    String name,
    String scope,
    @Nullable String models,
    String keyHash,
    Instant createdAt,
    @Nullable Instant lastUsedAt,
    @Nullable Instant revokedAt) {

  static ApiKeyRow of(StoredApiKey key) {
    return new ApiKeyRow(
        key.id(),
        key.name(),
        key.scope(),
        key.models().isEmpty() ? null : String.join(",", key.models()),
        key.keyHash(),
        key.createdAt(),
        key.lastUsedAt(),
        key.revokedAt());
  }

  StoredApiKey toKey() {
    List<String> list =
        models == null || models.isEmpty() ? List.of() : Arrays.asList(models.split(","));
    return new StoredApiKey(id, name, scope, list, keyHash, createdAt, lastUsedAt, revokedAt);
  }
}
