package io.sage.host.store;

/**
 * The shared database's change feed (docs/cluster.md): on PostgreSQL every engine write and every
 * API key write is announced to every node (LISTEN/NOTIFY), so a node learns of what another node
 * did within a second. Implemented by the {@code db} module; on H2 (one node) nothing is ever
 * announced. The feed is a hint, never the truth: a listener re-reads the rows it is told about,
 * and re-reads everything when the feed comes back after an outage (what it missed is unknown).
 */
public interface ClusterChanges {

  /** A feed that never announces anything (one node, tests). */
  ClusterChanges NONE = listener -> () -> {};

  /**
   * Starts telling {@code listener} about changes; the returned handle stops it. Listeners are
   * called on the feed's own thread, one at a time; they may block briefly (a row read).
   */
  AutoCloseable subscribe(Listener listener);

  /** What a subscriber hears; every method has a default that ignores it. */
  interface Listener {
    /** An engine row was inserted, changed or deleted by {@code nodeId}. */
    default void engineChanged(String nodeId, String engineId) {}

    /** An API key was created or revoked. */
    default void apiKeysChanged() {}

    /** The feed (re)connected: announcements may have been missed since it last was. */
    default void reconnected() {}
  }
}
