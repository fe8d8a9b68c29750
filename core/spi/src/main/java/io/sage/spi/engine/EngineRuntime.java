package io.sage.spi.engine;

import java.time.Duration;

/**
 * One engine's runtime, created by {@link EngineRuntimeFactory#create(EngineContext)} for each
 * launch of an engine. It describes what to run and how to watch it; the host owns the process: it
 * starts it in a process group of its own, captures its output, probes it, drains it and stops the
 * whole group.
 */
public interface EngineRuntime {

  /**
   * The command that starts the engine. Called by the host on a supervision worker thread, once per
   * launch; may block briefly (writing a config file into the work directory).
   *
   * @throws io.sage.spi.SageException with {@code LAUNCH_FAILED} when the engine cannot start
   *     (missing executable, unreadable model folder), naming the engine id
   */
  LaunchCommand launchCommand();

  /** How the host probes readiness and health. Called on a supervision thread; must not block. */
  default HealthProbe healthProbe() {
    return HealthProbe.standard(EngineKind.LLM);
  }

  /**
   * How long the process group gets between SIGTERM and SIGKILL. Called by the host when it stops
   * the engine; must not block.
   */
  default Duration stopGracePeriod() {
    return Duration.ofSeconds(10);
  }
}
