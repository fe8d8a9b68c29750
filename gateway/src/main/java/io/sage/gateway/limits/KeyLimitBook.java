package io.sage.gateway.limits;

import io.sage.host.store.KeyLimitStore;
import io.sage.host.usage.KeyLimits;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every key's limits in memory (read on each request: one map lookup), written through to the
 * database, and read again when another node changes them ({@link #reload}). Keys without a row
 * have no limits and weight 1.
 */
@Singleton
public final class KeyLimitBook {
  private final KeyLimitStore store;
  private final Clock clock;
  private final Map<String, KeyLimits> byKey = new ConcurrentHashMap<>();

  KeyLimitBook(KeyLimitStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
    for (KeyLimits limits : store.findAll()) {
      byKey.put(limits.keyId(), limits);
    }
  }

  /** Reads every key's limits again (another node may have set them: docs/cluster.md). */
  public synchronized void reload() {
    Map<String, KeyLimits> read = new java.util.HashMap<>();
    for (KeyLimits limits : store.findAll()) {
      read.put(limits.keyId(), limits);
    }
    byKey.putAll(read);
    byKey.keySet().retainAll(read.keySet());
  }

  /** The key's limits, or null when it has none. */
  public KeyLimits find(String keyId) {
    return byKey.get(keyId);
  }

  /** The key's limits, {@link KeyLimits#none} when it has none. */
  public KeyLimits of(String keyId) {
    KeyLimits limits = byKey.get(keyId);
    return limits == null ? KeyLimits.none(keyId) : limits;
  }

  public int weight(String keyId) {
    KeyLimits limits = byKey.get(keyId);
    return limits == null ? 1 : limits.weight();
  }

  /** Stores and applies the key's limits (effective for the next request). */
  public synchronized void put(KeyLimits limits) {
    store.put(limits, clock.instant());
    if (limits.equals(KeyLimits.none(limits.keyId()))) {
      byKey.remove(limits.keyId());
    } else {
      byKey.put(limits.keyId(), limits);
    }
  }
}
