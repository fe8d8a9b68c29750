package io.sage.host.store;

/**
 * A write made as leader with a fencing token that is no longer the current one: another node took
 * the lease meanwhile, and the store refused the write (nothing was changed).
 */
public final class StaleLeaderException extends RuntimeException {
  private final long token;

  public StaleLeaderException(String nodeId, long token, String current) {
    super(
        "node "
            + nodeId
            + " wrote as leader with token "
            + token
            + ", which is stale ("
            + current
            + "): the write was refused");
    this.token = token;
  }

  /** The stale token the write carried. */
  public long token() {
    return token;
  }
}
