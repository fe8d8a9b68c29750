package io.sage.host.store;

import io.sage.host.usage.KeyLimits;
import java.time.Instant;
import java.util.List;

/** Per-key limits: the persistence port, implemented by the {@code db} module. */
public interface KeyLimitStore {

  /** Stores the key's limits, replacing what it had; a key without limits loses its row. */
  void put(KeyLimits limits, Instant at);

  /** Every key's limits (keys without a row have none). */
  List<KeyLimits> findAll();
}
