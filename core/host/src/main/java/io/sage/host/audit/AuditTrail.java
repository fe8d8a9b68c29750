package io.sage.host.audit;

import io.sage.host.store.EngineStore;
import java.time.Clock;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes and reads the audit log: one row per management action, failed ones too. */
public final class AuditTrail {
  private static final Logger LOG = LoggerFactory.getLogger(AuditTrail.class);

  private final EngineStore store;
  private final Clock clock;

  public AuditTrail(EngineStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  /** Writes a row; never fails the action it records. */
  public void record(String actor, String action, String target, String outcome, String detail) {
    try {
      store.audit(new AuditEntry(0, clock.instant(), actor, action, target, outcome, detail));
    } catch (RuntimeException e) {
      LOG.warn("audit write failed for {} {}", action, target, e);
    }
  }

  public List<AuditEntry> query(AuditQuery query) {
    return store.audit(query);
  }
}
