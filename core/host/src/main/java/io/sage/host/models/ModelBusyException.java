package io.sage.host.models;

import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;

/** 503: the model is loading and its queue of waiting requests is full; retry after a while. */
public final class ModelBusyException extends SageException {
  private final long retryAfterSeconds;

  public ModelBusyException(String message, long retryAfterSeconds) {
    super(ErrorCode.NO_READY_ENGINE, message, "model");
    this.retryAfterSeconds = Math.max(1, retryAfterSeconds);
  }

  /** When a retry has a chance, from the model's recorded load durations. */
  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
