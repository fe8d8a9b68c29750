package io.sage.testkit.engine;

import io.sage.spi.engine.EngineContext;
import io.sage.spi.engine.EngineSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * An {@link EngineContext} for tests: loopback, a free port, a work directory the test owns and a
 * random engine API key.
 */
public record TestEngineContext(
    String engineId,
    EngineSpec spec,
    String host,
    int port,
    List<Integer> gpuIds,
    Path workDirectory,
    String engineApiKey)
    implements EngineContext {

  public static final String LOOPBACK = "127.0.0.1";

  public TestEngineContext {
    Objects.requireNonNull(engineId, "engineId");
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(workDirectory, "workDirectory");
    Objects.requireNonNull(engineApiKey, "engineApiKey");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port must be within 1..65535, got " + port);
    }
    gpuIds = gpuIds == null ? List.of() : List.copyOf(gpuIds);
  }

  /** A context on 127.0.0.1 with a free port, no GPUs and a fresh random API key. */
  public static TestEngineContext of(String engineId, EngineSpec spec, Path workDirectory) {
    return new TestEngineContext(
        engineId,
        spec,
        LOOPBACK,
        freePort(),
        List.of(),
        workDirectory,
        "test-key-" + UUID.randomUUID());
  }

  /** The same context with another API key (an empty one means "no key"). */
  public TestEngineContext withApiKey(String apiKey) {
    return new TestEngineContext(engineId, spec, host, port, gpuIds, workDirectory, apiKey);
  }

  /** The same context for another spec (options, kind), keeping id, port and directory. */
  public TestEngineContext withSpec(EngineSpec newSpec) {
    return new TestEngineContext(
        engineId, newSpec, host, port, gpuIds, workDirectory, engineApiKey);
  }

  /** A loopback port nobody listens on right now. */
  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free loopback port", e);
    }
  }
}
