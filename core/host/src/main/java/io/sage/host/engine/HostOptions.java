package io.sage.host.engine;

import io.sage.spi.engine.EngineSpec;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Engine options the host itself reads ({@code restart_policy}); runtimes never see them, so a
 * runtime's own option check does not reject them.
 */
public final class HostOptions {
  public static final Set<String> NAMES = Set.of("restart_policy");

  private HostOptions() {}

  /** The spec as the runtime sees it: without host options. */
  public static EngineSpec forRuntime(EngineSpec spec) {
    if (spec.options().keySet().stream().noneMatch(NAMES::contains)) {
      return spec;
    }
    Map<String, String> options = new HashMap<>(spec.options());
    options.keySet().removeAll(NAMES);
    return new EngineSpec(spec.model(), spec.servedModelName(), spec.kind(), spec.runtime(), spec.requestedPort(),
        spec.tensorParallelSize(), spec.requestedGpuIds(), spec.useGpu(), spec.label(), spec.extraArgs(), options);
  }
}
