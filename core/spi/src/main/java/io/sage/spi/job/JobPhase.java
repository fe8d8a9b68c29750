package io.sage.spi.job;

/** Where a scheduler job is in its life, as far as the host cares. */
public enum JobPhase {
  /** Waiting for resources (Slurm PENDING, CONFIGURING...). */
  QUEUED,
  /** Running on a node (Slurm RUNNING). */
  RUNNING,
  /** Finished, failed, timed out, cancelled, preempted: it will not run again. */
  ENDED,
  /** The scheduler does not know the job (purged, or a handle of another engine). */
  GONE,
  /** The scheduler could not be asked (down, slow, misconfigured); nothing is known. */
  UNREACHABLE
}
