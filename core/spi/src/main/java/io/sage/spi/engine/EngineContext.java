package io.sage.spi.engine;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

/**
 * Host services and placement decisions for one engine, handed to {@link
 * EngineRuntimeFactory#create(EngineContext)}. New host services arrive as new default methods, so
 * plugins built against an older SPI keep working.
 */
public interface EngineContext {

  /** The engine's id, stable across restarts of the engine and of the gateway. */
  String engineId();

  /** What the operator asked for. */
  EngineSpec spec();

  /** The address the engine must bind (loopback unless configured otherwise). */
  String host();

  /** The port the host reserved for the engine; the engine must listen on it. */
  int port();

  /** GPU indexes placed for this engine; empty when it runs without GPUs. */
  List<Integer> gpuIds();

  /** A directory owned by this engine, kept across restarts. */
  Path workDirectory();

  /**
   * The bearer key the gateway sends on every request to this engine. A runtime whose engine can
   * check keys must configure it to require this one, so that only the gateway can call it.
   */
  String engineApiKey();

  /** The java executable the gateway runs on, for runtimes that start a child JVM. */
  default Path javaExecutable() {
    return Path.of(System.getProperty("java.home"), "bin", "java");
  }

  /** The clock to use for anything time-based. */
  default Clock clock() {
    return Clock.systemUTC();
  }
}
