package io.sage.spi.job;

import java.util.Objects;

/**
 * One observation of a scheduler job.
 *
 * @param phase where the job is
 * @param schedulerState the scheduler's own state word ({@code PENDING}, {@code FAILED}, ...)
 * @param reason the scheduler's reason ({@code Resources}, {@code Priority}, ...), or the error
 *     when unreachable; may be empty
 * @param exitCode the job's exit code as the scheduler writes it ({@code 1:0}), or empty
 * @param endpointHost the node address the engine bound, once the job reported it; else null
 * @param endpointPort the port the engine bound, once reported; else null
 */
public record JobStatus(
    JobPhase phase,
    String schedulerState,
    String reason,
    String exitCode,
    String endpointHost,
    Integer endpointPort) {

  public JobStatus {
    Objects.requireNonNull(phase, "phase");
    schedulerState = schedulerState == null ? "" : schedulerState;
    reason = reason == null ? "" : reason;
    exitCode = exitCode == null ? "" : exitCode;
  }

  /** The scheduler could not be asked; {@code detail} says why. */
  public static JobStatus unreachable(String detail) {
    return new JobStatus(JobPhase.UNREACHABLE, "", detail, "", null, null);
  }

  /** The scheduler does not know the job. */
  public static JobStatus gone(String detail) {
    return new JobStatus(JobPhase.GONE, "", detail, "", null, null);
  }

  /** True once the job reported where it listens. */
  public boolean hasEndpoint() {
    return endpointHost != null && endpointPort != null;
  }
}
