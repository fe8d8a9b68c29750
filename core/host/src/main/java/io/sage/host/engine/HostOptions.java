package io.sage.host.engine;

import io.sage.spi.engine.EngineSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Engine options the host itself reads, parsed once: runtimes never see them, so a runtime's own
 * option check does not reject them.
 *
 * @param restarts {@code restart_policy}: whether the restart policy applies to this engine
 * @param startupTimeout {@code startup_timeout_s}, overriding the runtime's and the gateway's
 * @param healthInterval {@code health_interval_s}, overriding {@code sage.health.interval}
 * @param failureThreshold {@code health_failure_threshold}, overriding the gateway's
 */
public record HostOptions(
    Restarts restarts,
    Optional<Duration> startupTimeout,
    Optional<Duration> healthInterval,
    OptionalInt failureThreshold) {

  public static final Set<String> NAMES =
      Set.of(
          "restart_policy", "startup_timeout_s", "health_interval_s", "health_failure_threshold");

  /** Nothing overridden. */
  public static final HostOptions DEFAULTS =
      new HostOptions(Restarts.ALWAYS, Optional.empty(), Optional.empty(), OptionalInt.empty());

  /** {@code restart_policy}. */
  public enum Restarts {
    ALWAYS,
    NEVER
  }

  /**
   * The host options of {@code options} and every problem with them, one sentence each; an option
   * with a problem keeps its default.
   */
  public record Parsed(HostOptions options, List<String> problems) {
    public Parsed {
      problems = List.copyOf(problems);
    }
  }

  public static Parsed parse(Map<String, String> options) {
    if (options == null || options.keySet().stream().noneMatch(NAMES::contains)) {
      return new Parsed(DEFAULTS, List.of());
    }
    List<String> problems = new ArrayList<>();
    Restarts restarts = Restarts.ALWAYS;
    String policy = options.get("restart_policy");
    if ("never".equals(policy)) {
      restarts = Restarts.NEVER;
    } else if (policy != null && !policy.equals("always")) {
      problems.add("option restart_policy must be 'always' or 'never'");
    }
    Optional<Double> startup = number(options, "startup_timeout_s", 1, 86400, problems);
    Optional<Double> interval = number(options, "health_interval_s", 0.1, 3600, problems);
    Optional<Double> threshold = number(options, "health_failure_threshold", 1, 100, problems);
    return new Parsed(
        new HostOptions(
            restarts,
            startup.map(HostOptions::seconds),
            interval.map(HostOptions::seconds),
            threshold.map(t -> OptionalInt.of(t.intValue())).orElse(OptionalInt.empty())),
        problems);
  }

  /** The host options of a spec that was validated when it was accepted. */
  public static HostOptions of(EngineSpec spec) {
    return parse(spec.options()).options();
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

  private static Optional<Double> number(
      Map<String, String> options, String name, double min, double max, List<String> problems) {
    String value = options.get(name);
    if (value == null) {
      return Optional.empty();
    }
    try {
      double n = Double.parseDouble(value);
      if (n >= min && n <= max) {
        return Optional.of(n);
      }
      problems.add("option " + name + " must be between " + min + " and " + max + ", got " + value);
    } catch (NumberFormatException e) {
      problems.add("option " + name + " must be a number, got '" + value + "'");
    }
    return Optional.empty();
  }

  private static Duration seconds(double seconds) {
    return Duration.ofMillis((long) (seconds * 1000));
  }
}
