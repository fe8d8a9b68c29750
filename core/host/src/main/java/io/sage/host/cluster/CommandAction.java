package io.sage.host.cluster;

/** What a command asks the node that runs an engine (or is to run it) to do. */
public enum CommandAction {
  /** Launch a new engine with the id of the command (placed by the caller or the leader). */
  START,
  /** Stop the engine, draining it first when asked. */
  STOP,
  /** Restart an ERROR or STOPPED engine. */
  RESTART,
  /** Forget a STOPPED or ERROR engine. */
  REMOVE
}
