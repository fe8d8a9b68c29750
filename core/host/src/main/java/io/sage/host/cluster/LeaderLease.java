package io.sage.host.cluster;

import java.time.Instant;
import java.util.Objects;

/**
 * The cluster's leader lease as one node holds it (docs/cluster.md): who, with which fencing token,
 * until when. The token grows by one at every takeover, so a write carrying an older token comes
 * from a deposed leader and the store refuses it.
 *
 * @param nodeId the leading node
 * @param token the fencing token of this tenure
 * @param expiresAt when the lease runs out unless renewed (the leader's clock)
 */
public record LeaderLease(String nodeId, long token, Instant expiresAt) {
  public LeaderLease {
    Node.requireValidId(nodeId);
    Objects.requireNonNull(expiresAt, "expiresAt");
    if (token < 1) {
      throw new IllegalArgumentException("leader token must be at least 1, got " + token);
    }
  }

  /** Whether the lease still runs at {@code now}. */
  public boolean isValidAt(Instant now) {
    return now.isBefore(expiresAt);
  }

  /** The same tenure, renewed until {@code until}. */
  public LeaderLease renewedUntil(Instant until) {
    return new LeaderLease(nodeId, token, until);
  }
}
