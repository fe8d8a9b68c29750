package io.sage.host.store;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The key the stored engine secrets are encrypted with (docs/security.md), a port implemented by
 * the {@code db} module: what the gateway's backup and key-rotation routes need of it.
 */
public interface SecretKeys {
  /** The key file's name in the data dir; a backup carries it under the same name. */
  String FILE_NAME = "secret.key";

  /**
   * A new key made current, every stored secret re-encrypted with it, the old key forgotten; writes
   * wait meanwhile. Returns the new key's id (not the key).
   */
  String rotateSecretKey();

  /** The key file, for backups; empty for an in-memory database. */
  Optional<Path> secretKeyFile();
}
