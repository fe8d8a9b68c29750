package io.sage.host.supervision;

import io.sage.host.engine.EngineEntry;
import io.sage.host.engine.EngineRegistry;
import io.sage.host.process.EngineLogs;
import io.sage.host.time.Scheduler;
import java.time.Duration;

/** Rotates every engine's log when it grows past the size limit, checked every 30 s. */
public final class EngineLogRotation {
  static final Duration PERIOD = Duration.ofSeconds(30);

  private final EngineRegistry registry;
  private final EngineLogs logs;
  private final Scheduler scheduler;

  EngineLogRotation(EngineRegistry registry, EngineLogs logs, Scheduler scheduler) {
    this.registry = registry;
    this.logs = logs;
    this.scheduler = scheduler;
  }

  Scheduler.Timer start() {
    return scheduler.repeat(PERIOD, this::rotateAll);
  }

  void rotateAll() {
    for (EngineEntry entry : registry.all()) {
      logs.rotateIfNeeded(entry.id());
    }
  }
}
