package io.sage.host.cluster;

/** Where a command stands. */
public enum CommandState {
  /** Written, not taken yet (a start without a node waits for the leader to place it). */
  PENDING,
  /** Taken by its node, which is carrying it out (a stop: the drain has begun). */
  RUNNING,
  /** Carried out. */
  DONE,
  /** Refused or failed; the command's error says why. */
  FAILED;

  /** Whether the command is over. */
  public boolean isFinished() {
    return switch (this) {
      case PENDING, RUNNING -> false;
      case DONE, FAILED -> true;
    };
  }
}
