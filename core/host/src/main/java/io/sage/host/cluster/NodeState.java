package io.sage.host.cluster;

/** Whether a node has heartbeat recently enough to count as present. */
public enum NodeState {
  /** Seen within the lost-after window. */
  UP,
  /** Silent for longer than the window: its gateway is stopped, dead or cut off. */
  LOST;

  /** The wire name ({@code up}, {@code lost}). */
  public String wireName() {
    return switch (this) {
      case UP -> "up";
      case LOST -> "lost";
    };
  }
}
