package io.sage.spi;

/**
 * The version of this SPI. Plugins declare the range they were built for in their manifest's {@code
 * Plugin-Requires}; the host refuses a plugin whose range does not include this version. The major
 * number changes only when an existing method changes or disappears; the minor number when a
 * default method is added (1.1: {@code EngineRuntimeFactory.gpuMemoryNeed}; 1.2: {@code
 * EngineRuntimeFactory.remoteJobs} and the {@code io.sage.spi.job} package).
 */
public final class SpiVersion {
  /** The SPI version this host implements. */
  public static final String VERSION = "1.2.0";

  private SpiVersion() {}
}
