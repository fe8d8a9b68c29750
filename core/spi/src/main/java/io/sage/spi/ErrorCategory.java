package io.sage.spi;

/**
 * What kind of failure an {@link ErrorCode} is. The category alone decides the HTTP status the
 * gateway answers with and whether trying again may help.
 */
public enum ErrorCategory {
  /** The caller sent something wrong; retrying the same request cannot help. */
  USER_ERROR(400, false),
  /** The named thing does not exist. */
  NOT_FOUND(404, false),
  /** The request conflicts with the current state (illegal transition, no GPU fit, busy port). */
  CONFLICT(409, false),
  /** Not enough capacity right now (nothing READY); a retry later may succeed. */
  NO_CAPACITY(503, true),
  /** An engine failed or answered badly; another engine may succeed. */
  ENGINE_FAILURE(502, true),
  /** An engine did not answer in time. */
  ENGINE_TIMEOUT(504, true),
  /** A bug in the gateway or a plugin. */
  INTERNAL(500, false);

  private final int httpStatus;
  private final boolean retryable;

  ErrorCategory(int httpStatus, boolean retryable) {
    this.httpStatus = httpStatus;
    this.retryable = retryable;
  }

  /** The HTTP status the gateway answers with for errors of this category. */
  public int httpStatus() {
    return httpStatus;
  }

  /** Whether the same request may succeed if tried again later or elsewhere. */
  public boolean retryable() {
    return retryable;
  }
}
