package io.sage.host.cluster;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A gateway sharing the store with others (docs/cluster.md): who it is, where it answers, which
 * version it runs, its GPUs, when it started and when it last said it was alive.
 *
 * @param id the node id ({@code node.id}, else made once and kept in the data dir)
 * @param address the URL other nodes and clients reach the gateway at
 * @param version the gateway's version
 * @param gpus its GPUs as its provider reported them at start
 * @param startedAt when this run of the gateway registered
 * @param lastSeenAt its last heartbeat
 */
public record Node(
    String id,
    String address,
    String version,
    List<NodeGpu> gpus,
    Instant startedAt,
    Instant lastSeenAt) {
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  public Node {
    requireValidId(id);
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(version, "version");
    gpus = List.copyOf(gpus);
    Objects.requireNonNull(startedAt, "startedAt");
    Objects.requireNonNull(lastSeenAt, "lastSeenAt");
  }

  /**
   * Checks a node id: 1 to 64 letters, digits, dots, dashes and underscores, not starting with a
   * punctuation mark.
   *
   * @throws IllegalArgumentException naming the id otherwise
   */
  public static String requireValidId(String id) {
    if (id == null || !ID.matcher(id).matches()) {
      throw new IllegalArgumentException(
          "node id must be 1 to 64 letters, digits, '.', '-' or '_', got '" + id + "'");
    }
    return id;
  }

  /** UP while the last heartbeat is at most {@code lostAfter} old, else LOST. */
  public NodeState state(Instant now, Duration lostAfter) {
    return lastSeenAt.plus(lostAfter).isBefore(now) ? NodeState.LOST : NodeState.UP;
  }

  /** The same node, started (this run) at {@code at}. */
  public Node startedAt(Instant at) {
    return new Node(id, address, version, gpus, at, lastSeenAt);
  }

  /** The same node seen again at {@code at}. */
  public Node seenAt(Instant at) {
    return new Node(id, address, version, gpus, startedAt, at);
  }
}
