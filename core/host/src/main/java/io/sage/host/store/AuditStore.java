package io.sage.host.store;

import io.sage.host.audit.AuditEntry;
import io.sage.host.audit.AuditQuery;
import java.util.List;

/** The audit log's persistence port, implemented by the {@code db} module. */
public interface AuditStore {

  /** Appends the entry (its id is ignored, the store assigns one); durable when it returns. */
  void append(AuditEntry entry);

  /** The entries matching the query, newest first. */
  List<AuditEntry> find(AuditQuery query);
}
