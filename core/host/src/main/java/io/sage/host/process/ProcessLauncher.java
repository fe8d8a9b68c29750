package io.sage.host.process;

import io.sage.spi.engine.LaunchCommand;
import java.nio.file.Path;

/**
 * Starts engine processes. Each one leads its own process group (so a whole engine, forked workers
 * included, can be signalled and verified gone) and carries {@link #ENGINE_ID_ENV} in its
 * environment (so it is recognised after a gateway restart even when a wrapper exec'd another
 * program). {@link SetsidProcessLauncher} is the real one; tests use an in-memory table.
 */
public interface ProcessLauncher {
  /**
   * Environment variable naming the engine in every engine process, to recognise it after a gateway
   * restart.
   */
  String ENGINE_ID_ENV = "SAGE_ENGINE_ID";

  /**
   * Starts {@code command} for engine {@code engineId}, its output appended to {@code logFile}.
   *
   * @throws io.sage.spi.SageException LAUNCH_FAILED when the OS refuses
   */
  ManagedProcess launch(String engineId, LaunchCommand command, Path logFile);
}
