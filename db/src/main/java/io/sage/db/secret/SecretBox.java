package io.sage.db.secret;

import io.micronaut.context.annotation.Value;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts the secrets the gateway must keep readable (engines' upstream and own API keys, their
 * stored command lines) before they reach the database: AES-256-GCM with a key kept in {@value
 * #FILE_NAME} beside the database, permissions {@code rw-------}. A stolen {@code sage.mv.db}
 * without that file gives no key away. Values are {@code enc1:<key id>:<base64 of iv+ciphertext>};
 * a value without that prefix was written before encryption and is returned as it is (and encrypted
 * at the next write).
 *
 * <p>The file lists keys one a line, {@code <id> <base64 key>}, the current one first; a rotation
 * writes the new key in front, re-encrypts, then drops the others, so a crash at any point leaves
 * every stored value readable.
 */
@Singleton
public final class SecretBox {
  public static final String FILE_NAME = io.sage.host.store.SecretKeys.FILE_NAME;
  private static final String PREFIX = "enc1:";
  private static final int IV_BYTES = 12;
  private static final SecureRandom RANDOM = new SecureRandom();

  /** Null for an in-memory database: the key then lives as long as the process. */
  private final @Nullable Path file;

  private volatile Keys keys;

  @jakarta.inject.Inject
  SecretBox(
      @Value("${datasources.default.url:}") @Nullable String url,
      @Value("${sage.data-dir:}") @Nullable String dataDir) {
    this(keyFile(url, dataDir));
  }

  SecretBox(@Nullable Path file) {
    this.file = file;
    this.keys = file == null ? Keys.fresh() : load(file);
  }

  /**
   * Beside an H2 file database; in the data dir for a database elsewhere (PostgreSQL: every gateway
   * sharing it needs a copy of the same file, docs/cluster.md); null when there is neither.
   */
  static @Nullable Path keyFile(@Nullable String url, @Nullable String dataDir) {
    Path beside = keyFileBeside(url);
    if (beside != null) {
      return beside;
    }
    boolean inMemory = url != null && url.startsWith("jdbc:h2:mem:");
    return inMemory || dataDir == null || dataDir.isBlank()
        ? null
        : Path.of(dataDir).toAbsolutePath().resolve(FILE_NAME);
  }

  /** {@code <dir>/secret.key} for {@code jdbc:h2:file:<dir>/sage;...}; null for other URLs. */
  static @Nullable Path keyFileBeside(@Nullable String url) {
    String prefix = "jdbc:h2:file:";
    if (url == null || !url.startsWith(prefix)) {
      return null;
    }
    String path = url.substring(prefix.length());
    int settings = path.indexOf(';');
    Path database = Path.of(settings >= 0 ? path.substring(0, settings) : path).toAbsolutePath();
    return database.getParent().resolve(FILE_NAME);
  }

  /** The encrypted form of {@code plain}; null and "" stay as they are. */
  public String seal(String plain) {
    if (plain == null || plain.isEmpty()) {
      return plain;
    }
    Keys current = keys;
    try {
      byte[] iv = new byte[IV_BYTES];
      RANDOM.nextBytes(iv);
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(
          Cipher.ENCRYPT_MODE,
          new SecretKeySpec(current.byId.get(current.currentId), "AES"),
          new GCMParameterSpec(128, iv));
      byte[] sealed = cipher.doFinal(plain.getBytes(StandardCharsets.UTF_8));
      byte[] out = new byte[iv.length + sealed.length];
      System.arraycopy(iv, 0, out, 0, iv.length);
      System.arraycopy(sealed, 0, out, iv.length, sealed.length);
      return PREFIX + current.currentId + ":" + Base64.getEncoder().encodeToString(out);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot encrypt a secret: " + e.getMessage(), e);
    }
  }

  /** The plain value of a stored one (see {@link #seal}); unencrypted values pass through. */
  public String open(String stored) {
    if (stored == null || !stored.startsWith(PREFIX)) {
      return stored;
    }
    int colon = stored.indexOf(':', PREFIX.length());
    if (colon < 0) {
      throw new IllegalStateException("a stored secret is malformed (no key id)");
    }
    String id = stored.substring(PREFIX.length(), colon);
    byte[] key = keys.byId.get(id);
    if (key == null) {
      throw new IllegalStateException(
          "a stored secret was encrypted with key '"
              + id
              + "', which "
              + (file == null ? "this process" : file)
              + " does not hold: restore the key file that belongs to this database");
    }
    try {
      byte[] all = Base64.getDecoder().decode(stored.substring(colon + 1));
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(
          Cipher.DECRYPT_MODE,
          new SecretKeySpec(key, "AES"),
          new GCMParameterSpec(128, all, 0, IV_BYTES));
      return new String(
          cipher.doFinal(all, IV_BYTES, all.length - IV_BYTES), StandardCharsets.UTF_8);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalStateException(
          "a stored secret cannot be decrypted with key '" + id + "': " + e.getMessage(), e);
    }
  }

  /** Whether a stored value is encrypted with the current key. */
  public boolean isCurrent(String stored) {
    return stored == null || stored.isEmpty() || stored.startsWith(PREFIX + keys.currentId + ":");
  }

  /** The key file, for backups (absent for an in-memory database). */
  public java.util.Optional<Path> keyFile() {
    return java.util.Optional.ofNullable(file);
  }

  /** The current key's id (not the key). */
  public String currentKeyId() {
    return keys.currentId;
  }

  /** Makes a new key the current one, keeping the old ones for reading; returns its id. */
  public synchronized String beginRotation() {
    Keys next = keys.withNewCurrent();
    save(next);
    keys = next;
    return next.currentId;
  }

  /** Forgets every key but the current one, once nothing stored needs them any more. */
  public synchronized void finishRotation() {
    Keys only = keys.currentOnly();
    save(only);
    keys = only;
  }

  private void save(Keys next) {
    if (file != null) {
      try {
        PrivateFile.write(file, next.text());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write the secret key file " + file, e);
      }
    }
  }

  private static Keys load(Path file) {
    try {
      if (!Files.exists(file)) {
        Keys fresh = Keys.fresh();
        PrivateFile.write(file, fresh.text());
        return fresh;
      }
      PrivateFile.restrict(file);
      return Keys.parse(file, Files.readString(file, StandardCharsets.US_ASCII));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create the secret key file " + file, e);
    }
  }

  /** The keys by id, in file order; the first is the current one. */
  private record Keys(String currentId, Map<String, byte[]> byId) {
    static Keys fresh() {
      Map<String, byte[]> byId = new LinkedHashMap<>();
      String id = newId();
      byId.put(id, newKey());
      return new Keys(id, byId);
    }

    static Keys parse(Path file, String text) {
      Map<String, byte[]> byId = new LinkedHashMap<>();
      for (String line : text.split("\n")) {
        String trimmed = line.trim();
        if (trimmed.isEmpty() || trimmed.startsWith("#")) {
          continue;
        }
        String[] parts = trimmed.split("\\s+");
        byte[] key;
        try {
          key = parts.length == 2 ? Base64.getDecoder().decode(parts[1]) : new byte[0];
        } catch (IllegalArgumentException e) {
          key = new byte[0];
        }
        if (key.length != 32) {
          throw new IllegalStateException(
              file + " is damaged: each line must be '<id> <base64 of 32 bytes>'");
        }
        byId.put(parts[0], key);
      }
      if (byId.isEmpty()) {
        throw new IllegalStateException(file + " holds no key");
      }
      return new Keys(byId.keySet().iterator().next(), byId);
    }

    Keys withNewCurrent() {
      Map<String, byte[]> next = new LinkedHashMap<>();
      String id = newId();
      next.put(id, newKey());
      next.putAll(byId);
      return new Keys(id, next);
    }

    Keys currentOnly() {
      Map<String, byte[]> only = new LinkedHashMap<>();
      only.put(currentId, byId.get(currentId));
      return new Keys(currentId, only);
    }

    String text() {
      List<String> lines = new ArrayList<>();
      lines.add(
          "# SAGE secret keys: current first. Losing this file loses the stored engine keys.");
      byId.forEach((id, key) -> lines.add(id + " " + Base64.getEncoder().encodeToString(key)));
      return String.join("\n", lines) + "\n";
    }

    private static String newId() {
      byte[] id = new byte[6];
      RANDOM.nextBytes(id);
      return "k" + java.util.HexFormat.of().formatHex(id);
    }

    private static byte[] newKey() {
      byte[] key = new byte[32];
      RANDOM.nextBytes(key);
      return key;
    }
  }
}
