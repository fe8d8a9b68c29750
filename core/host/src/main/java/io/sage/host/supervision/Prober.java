package io.sage.host.supervision;

import io.sage.spi.engine.HealthProbe;
import java.util.concurrent.CompletableFuture;

/**
 * Probes one engine, asynchronously so that one slow engine never delays the probes of the others.
 * {@link ProbeClient} does it over HTTP; tests answer from a script.
 */
@FunctionalInterface
public interface Prober {
  /**
   * Probes the engine at {@code baseUrl} as {@code probe} says; never fails the future (a failure
   * is a {@link ProbeResult} that is not ok).
   */
  CompletableFuture<ProbeResult> probe(
      String baseUrl, HealthProbe probe, String servedModel, String apiKey);
}
