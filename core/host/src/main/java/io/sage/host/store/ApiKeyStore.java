package io.sage.host.store;

import io.sage.host.security.StoredApiKey;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * API keys as stored (their hashes, never the keys): the persistence port of the gateway's key
 * checks, implemented by the {@code db} module. Writes other than {@link #touch} have reached the
 * database when they return, so a revocation survives a crash right after it was acknowledged.
 */
public interface ApiKeyStore {

  void insert(StoredApiKey key);

  /** Every key, revoked ones too, oldest first. */
  List<StoredApiKey> findAll();

  Optional<StoredApiKey> find(String id);

  /** Marks the key revoked; false when it does not exist or was already revoked. */
  boolean revoke(String id, Instant at);

  /** Records a use; may be lost in a crash (the last minute of use times costs nothing). */
  void touch(String id, Instant at);
}
