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
  public static final Set<String> NAMES =
      Set.of(
          "restart_policy", "startup_timeout_s", "health_interval_s", "health_failure_threshold");

  private HostOptions() {}

  /** Problems with the host options of {@code options}, one sentence each. */
  public static java.util.List<String> problems(Map<String, String> options) {
    java.util.List<String> problems = new java.util.ArrayList<>();
    if (options == null) {
      return problems;
    }
    String policy = options.get("restart_policy");
    if (policy != null && !policy.equals("always") && !policy.equals("never")) {
      problems.add("option restart_policy must be 'always' or 'never'");
    }
    checkNumber(options, "startup_timeout_s", 1, 86400, problems);
    checkNumber(options, "health_interval_s", 0.1, 3600, problems);
    checkNumber(options, "health_failure_threshold", 1, 100, problems);
    return problems;
  }

  private static void checkNumber(
      Map<String, String> options,
      String name,
      double min,
      double max,
      java.util.List<String> problems) {
    String value = options.get(name);
    if (value == null) {
      return;
    }
    try {
      double n = Double.parseDouble(value);
      if (!(n >= min && n <= max)) {
        problems.add(
            "option " + name + " must be between " + min + " and " + max + ", got " + value);
      }
    } catch (NumberFormatException e) {
      problems.add("option " + name + " must be a number, got '" + value + "'");
    }
  }

  /** A per-engine duration in seconds, or the fallback. */
  public static java.time.Duration seconds(
      EngineSpec spec, String name, java.time.Duration fallback) {
    String value = spec.options().get(name);
    return value == null
        ? fallback
        : java.time.Duration.ofMillis((long) (Double.parseDouble(value) * 1000));
  }

  /** The spec as the runtime sees it: without host options. */
  public static EngineSpec forRuntime(EngineSpec spec) {
    if (spec.options().keySet().stream().noneMatch(NAMES::contains)) {
      return spec;
    }
    Map<String, String> options = new HashMap<>(spec.options());
    options.keySet().removeAll(NAMES);
    return new EngineSpec(
        spec.model(),
        spec.servedModelName(),
        spec.kind(),
        spec.runtime(),
        spec.requestedPort(),
        spec.tensorParallelSize(),
        spec.requestedGpuIds(),
        spec.useGpu(),
        spec.label(),
        spec.extraArgs(),
        options);
  }
}
