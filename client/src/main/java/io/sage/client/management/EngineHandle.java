package io.sage.client.management;

import io.sage.client.SageClientException;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/** An engine the client started: wait for it to become ready, look at it, stop it. */
public final class EngineHandle {

  private final ManagementClient management;
  private final EngineInfo started;
  private final Duration pollInterval;

  EngineHandle(ManagementClient management, EngineInfo started, Duration pollInterval) {
    this.management = management;
    this.started = started;
    this.pollInterval = pollInterval;
  }

  public String id() {
    return started.id();
  }

  /** The engine as the start call answered (normally STARTING). */
  public EngineInfo started() {
    return started;
  }

  /** The engine as the gateway sees it now. */
  public EngineInfo refresh() {
    return management.engine(started.id());
  }

  public EngineInfo awaitReady(Duration timeout) {
    return awaitReady(timeout, info -> {});
  }

  /**
   * Polls the engine until it is READY and returns it.
   *
   * @param progress sees every polled state (the CLI shows live progress with it)
   * @throws SageClientException with the engine's {@code last_error} when it goes to ERROR, when it
   *     is stopped or drained meanwhile, or, naming the state it is still in, when the timeout
   *     passes
   */
  public EngineInfo awaitReady(Duration timeout, Consumer<EngineInfo> progress) {
    Objects.requireNonNull(timeout, "timeout");
    long deadline = System.nanoTime() + timeout.toNanos();
    EngineInfo info = started;
    while (true) {
      info = management.engine(started.id());
      progress.accept(info);
      switch (info.state()) {
        case READY:
          return info;
        case ERROR:
          throw failure(
              info,
              "engine_error",
              "failed to start: "
                  + (info.lastError() == null ? "no reason reported" : info.lastError()));
        case STOPPED:
        case DRAINING:
          throw failure(
              info,
              "engine_stopped",
              "was stopped while waiting for it to become ready"
                  + (info.lastError() == null ? "" : " (last error: " + info.lastError() + ")"));
        case STARTING:
        case UNKNOWN:
          break;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw failure(info, "timeout", "not ready after " + timeout + ": still " + info.state());
      }
      sleep(Math.min(left, pollInterval.toNanos()));
    }
  }

  /** Stops the engine (gracefully when {@code drain}). */
  public EngineInfo stop(boolean drain) {
    return management.stop(started.id(), drain);
  }

  private static SageClientException failure(EngineInfo info, String code, String message) {
    String model = info.model() == null ? "" : " (" + info.model() + ")";
    return new SageClientException(
        0,
        "engine_error",
        code,
        null,
        "engine " + info.id() + model + " " + message,
        info.id(),
        null,
        null);
  }

  private void sleep(long nanos) {
    try {
      Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SageClientException(
          "engine_error", "interrupted", "interrupted while waiting for engine " + id(), e);
    }
  }
}
