package io.sage.host.supervision;

import io.sage.spi.engine.EngineContext;
import io.sage.spi.engine.EngineSpec;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

/** The host's {@link EngineContext}: placement decisions and host services for one launch. */
record HostEngineContext(
    String engineId,
    EngineSpec spec,
    String host,
    int port,
    List<Integer> gpuIds,
    Path workDirectory,
    String engineApiKey,
    Path javaExecutable,
    Clock clock)
    implements EngineContext {

  HostEngineContext {
    gpuIds = List.copyOf(gpuIds);
  }
}
