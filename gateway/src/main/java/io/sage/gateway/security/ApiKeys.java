package io.sage.gateway.security;

import io.sage.host.security.StoredApiKey;
import io.sage.host.store.ApiKeyStore;
import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's API keys. The database holds only hashes; this bean keeps every active key in
 * memory by hash, so authenticating a request is one SHA-256 and one map lookup and never touches
 * the database. A revocation here removes the key from the map before it is acknowledged, and is
 * effective at once. With several nodes on one database (docs/cluster.md) the keys another node
 * creates or revokes reach this map by {@link #reload}, which {@link SharedKeys} calls when the
 * database announces a change (within a second) and every {@code node.refresh-interval}.
 */
@Singleton
public final class ApiKeys {
  public static final String PREFIX = "sk-sage-";
  static final String ADMIN = "admin";
  static final String INFERENCE = "inference";
  static final String METRICS = "metrics";
  private static final Logger LOG = LoggerFactory.getLogger(ApiKeys.class);
  private static final Pattern KEY_SHAPE = Pattern.compile("sk-sage-[A-Za-z0-9_-]{20,128}");
  private static final Pattern MODEL = Pattern.compile("[A-Za-z0-9_./:@+\\-]{1,256}");
  private static final Duration TOUCH_EVERY = Duration.ofMinutes(1);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final ApiKeyStore store;
  private final Clock clock;
  private final Map<String, StoredApiKey> activeByHash = new ConcurrentHashMap<>();
  private final Map<String, Instant> lastTouched = new ConcurrentHashMap<>();
  private final Map<String, Instant> lastWritten = new ConcurrentHashMap<>();

  /** Creations, revocations and reloads one at a time: a reload never undoes a newer write. */
  private final Object writes = new Object();

  private final ExecutorService touches =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "sage-key-touch");
            t.setDaemon(true);
            return t;
          });

  ApiKeys(ApiKeyStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
    for (StoredApiKey key : store.findAll()) {
      if (key.active()) {
        activeByHash.put(key.keyHash(), key);
      }
    }
  }

  /** A new key: the stored part and the key itself, which exists only in this object. */
  public record Created(StoredApiKey stored, String secret) {}

  /** Validates and stores a new key; the secret is in the result and nowhere else. */
  public Created create(String name, String scope, List<String> models) {
    List<String> problems = new ArrayList<>();
    if (name == null || name.isBlank() || name.length() > 128 || hasControl(name)) {
      problems.add("name is required: 1-128 printable characters");
    }
    if (!ADMIN.equals(scope) && !INFERENCE.equals(scope) && !METRICS.equals(scope)) {
      problems.add("scope must be 'admin', 'inference' or 'metrics'");
    }
    List<String> allowed =
        models == null ? List.of() : new ArrayList<>(new LinkedHashSet<>(models));
    if (allowed.size() > 256) {
      problems.add("models may name at most 256 models");
    }
    for (String model : allowed) {
      if (model == null || !MODEL.matcher(model).matches()) {
        problems.add(
            "models entries must be model names (1-256 characters of letters, digits and ._/:@+-)");
        break;
      }
    }
    if (!INFERENCE.equals(scope) && !allowed.isEmpty()) {
      problems.add("only an inference key can be limited to models, not a " + scope + " key");
    }
    if (!problems.isEmpty()) {
      throw SageException.invalid(null, "invalid key request: " + String.join("; ", problems));
    }
    byte[] random = new byte[32];
    RANDOM.nextBytes(random);
    String secret = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    byte[] idBytes = new byte[6];
    RANDOM.nextBytes(idBytes);
    StoredApiKey key =
        new StoredApiKey(
            "key-" + HexFormat.of().formatHex(idBytes),
            name.trim(),
            scope,
            allowed,
            hash(secret),
            clock.instant(),
            null,
            null);
    synchronized (writes) {
      store.insert(key);
      activeByHash.put(key.keyHash(), key);
    }
    return new Created(key, secret);
  }

  /** The key this secret belongs to, if it is active. */
  public Optional<StoredApiKey> authenticate(String secret) {
    if (secret == null || !KEY_SHAPE.matcher(secret).matches()) {
      return Optional.empty();
    }
    StoredApiKey key = activeByHash.get(hash(secret));
    if (key != null) {
      touch(key.id());
    }
    return Optional.ofNullable(key);
  }

  /**
   * The active key with this hash (a console session remembers the hash, never the key), counted as
   * a use.
   */
  Optional<StoredApiKey> authenticateHash(String keyHash) {
    StoredApiKey key = keyHash == null ? null : activeByHash.get(keyHash);
    if (key != null) {
      touch(key.id());
    }
    return Optional.ofNullable(key);
  }

  /** Every key, revoked ones too, with the last use this gateway saw. */
  public List<StoredApiKey> list() {
    return store.findAll().stream().map(this::withLastUse).toList();
  }

  /**
   * Reads every key again: keys created by another node are let in, keys it revoked are not any
   * more. When the database cannot be read this throws and the keys stay as they were.
   */
  public void reload() {
    synchronized (writes) {
      Map<String, StoredApiKey> active = new java.util.HashMap<>();
      for (StoredApiKey key : store.findAll()) {
        if (key.active()) {
          active.put(key.keyHash(), key);
        }
      }
      activeByHash.putAll(active);
      activeByHash.keySet().retainAll(active.keySet());
    }
  }

  /** Revokes a key; it authenticates nothing from the moment this returns. */
  public StoredApiKey revoke(String id) {
    synchronized (writes) {
      return revokeNow(id);
    }
  }

  private StoredApiKey revokeNow(String id) {
    StoredApiKey key =
        store
            .find(id)
            .orElseThrow(
                () ->
                    new SageException(
                        ErrorCode.NOT_FOUND, "API key " + id + " does not exist", "id"));
    if (!key.active()) {
      throw new SageException(
          ErrorCode.ILLEGAL_STATE, "API key " + id + " is already revoked", "id");
    }
    if (ADMIN.equals(key.scope()) && activeAdmins() == 1) {
      throw new SageException(
          ErrorCode.ILLEGAL_STATE,
          "API key "
              + id
              + " is the last active admin key; create another admin key before revoking it",
          "id");
    }
    // out of the map first: from here on no request is let in with it, even before the commit
    activeByHash.remove(key.keyHash());
    Instant now = clock.instant();
    try {
      store.revoke(id, now);
    } catch (RuntimeException e) {
      activeByHash.put(key.keyHash(), key);
      throw e;
    }
    return store.find(id).orElseThrow();
  }

  public boolean hasActiveAdmin() {
    return activeAdmins() > 0;
  }

  private long activeAdmins() {
    return activeByHash.values().stream().filter(k -> ADMIN.equals(k.scope())).count();
  }

  private StoredApiKey withLastUse(StoredApiKey key) {
    Instant seen = lastTouched.get(key.id());
    if (seen == null || (key.lastUsedAt() != null && !seen.isAfter(key.lastUsedAt()))) {
      return key;
    }
    return new StoredApiKey(
        key.id(),
        key.name(),
        key.scope(),
        key.models(),
        key.keyHash(),
        key.createdAt(),
        seen,
        key.revokedAt());
  }

  /**
   * Keeps the last use in memory and writes it at most once a minute per key, off the request
   * thread.
   */
  private void touch(String id) {
    Instant now = clock.instant();
    lastTouched.put(id, now);
    Instant written = lastWritten.get(id);
    if (written == null || Duration.between(written, now).compareTo(TOUCH_EVERY) >= 0) {
      lastWritten.put(id, now);
      touches.execute(
          () -> {
            try {
              store.touch(id, now);
            } catch (RuntimeException e) {
              LOG.warn("could not record the last use of API key {}: {}", id, e.getMessage());
            }
          });
    }
  }

  static String hash(String secret) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  private static boolean hasControl(String value) {
    return value.chars().anyMatch(Character::isISOControl);
  }
}
