package io.sage.host.security;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An API key as the database keeps it: everything but the key itself, which only exists as its
 * SHA-256 ({@code keyHash}).
 *
 * @param id {@code key-<hex>}, the actor named in audit rows
 * @param name the operator's label
 * @param scope {@code admin}, {@code inference} or {@code metrics}
 * @param models models an inference key may use; empty means every model
 * @param keyHash lower-case hex SHA-256 of the whole key
 * @param createdAt when it was created
 * @param lastUsedAt when it last authenticated a request (updated at most once a minute), or null
 * @param revokedAt when it was revoked, or null while active
 */
public record StoredApiKey(
    String id,
    String name,
    String scope,
    List<String> models,
    String keyHash,
    Instant createdAt,
    Instant lastUsedAt,
    Instant revokedAt) {
  private static final Pattern HASH = Pattern.compile("[0-9a-f]{64}");

  public StoredApiKey {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(createdAt, "createdAt");
    if (!"admin".equals(scope) && !"inference".equals(scope) && !"metrics".equals(scope)) {
      throw new IllegalArgumentException(
          "key " + id + ": scope must be admin, inference or metrics, got " + scope);
    }
    if (keyHash == null || !HASH.matcher(keyHash).matches()) {
      throw new IllegalArgumentException(
          "key " + id + ": key hash must be 64 lower-case hex digits");
    }
    models = models == null ? List.of() : List.copyOf(models);
  }

  public boolean active() {
    return revokedAt == null;
  }
}
