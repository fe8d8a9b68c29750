package io.sage.gateway.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

/**
 * How engines are placed on this host ({@code sage.engines.*}).
 *
 * @param host the address engines bind to and are reached at
 * @param portRangeStart first port handed to engines
 * @param portRangeEnd last port handed to engines
 * @param logMaxBytes size at which an engine's log file is rotated
 */
@ConfigurationProperties("sage.engines")
public record EnginesConfig(
    @Bindable(defaultValue = "127.0.0.1") String host,
    @Bindable(defaultValue = "41000") int portRangeStart,
    @Bindable(defaultValue = "41999") int portRangeEnd,
    @Bindable(defaultValue = "10485760") long logMaxBytes) {
  public EnginesConfig {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("engines.host must not be empty");
    }
    ConfigChecks.port("engines.port-range-start", portRangeStart);
    ConfigChecks.port("engines.port-range-end", portRangeEnd);
    if (portRangeEnd < portRangeStart) {
      throw new IllegalArgumentException(
          "engines.port-range-end ("
              + portRangeEnd
              + ") must not be below engines.port-range-start ("
              + portRangeStart
              + ")");
    }
    ConfigChecks.atLeast("engines.log-max-bytes", 1024, logMaxBytes);
  }
}
