package io.sage.host.models;

import io.sage.host.management.StartRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One declared model: what to launch for it, how many replicas, when to start and stop it.
 *
 * @param name the name clients ask for (the engines' served name)
 * @param model what the runtime loads
 * @param runtime the runtime kind
 * @param engineKind {@code llm} or {@code embedding}
 * @param aliases other names that route to it
 * @param options runtime (and host) options
 * @param extraArgs extra command-line arguments
 * @param gpu GPUs per replica (0: none)
 * @param minReplicas replicas kept running (0: on demand)
 * @param maxReplicas most replicas scaling may run
 * @param idleTimeout stop after no request for that long; null for never
 * @param group the swap group, or null
 * @param maxWaiting most requests waiting for it to load
 * @param targetInFlight in-flight requests per READY engine that scaling aims for
 * @param origin the file or the API
 */
public record ModelDeclaration(
    String name,
    String model,
    String runtime,
    String engineKind,
    List<String> aliases,
    Map<String, String> options,
    List<String> extraArgs,
    int gpu,
    int minReplicas,
    int maxReplicas,
    Duration idleTimeout,
    String group,
    int maxWaiting,
    int targetInFlight,
    Origin origin) {

  public static final int DEFAULT_MAX_WAITING = 256;
  public static final int DEFAULT_TARGET_IN_FLIGHT = 16;

  private static final Pattern LABEL = Pattern.compile("declared model (\\S+) rev ([0-9a-f]{8})");

  public ModelDeclaration {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(runtime, "runtime");
    Objects.requireNonNull(origin, "origin");
    engineKind = engineKind == null ? "llm" : engineKind;
    aliases = aliases == null ? List.of() : List.copyOf(aliases);
    options = options == null ? Map.of() : inOrder(options);
    extraArgs = extraArgs == null ? List.of() : List.copyOf(extraArgs);
  }

  /** An unmodifiable copy that keeps the declaration's order (plans and views show it so). */
  private static Map<String, String> inOrder(Map<String, String> options) {
    Map<String, String> copy = new LinkedHashMap<>();
    options.forEach(
        (k, v) -> copy.put(Objects.requireNonNull(k, "option name"), Objects.requireNonNull(v, k)));
    return Collections.unmodifiableMap(copy);
  }

  /** Started on the first request rather than kept running. */
  public boolean onDemand() {
    return minReplicas == 0;
  }

  /** Whether {@code asked} is the name or one of the aliases. */
  public boolean answersTo(String asked) {
    return name.equals(asked) || aliases.contains(asked);
  }

  /**
   * A digest of what the engine is launched with (model, runtime, kind, options, args, GPUs): an
   * engine of another revision is replaced when the declaration changes.
   */
  public String revision() {
    String canonical =
        model
            + "\n"
            + runtime
            + "\n"
            + engineKind
            + "\n"
            + new TreeMap<>(options)
            + "\n"
            + extraArgs
            + "\n"
            + gpu;
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 4);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing", e);
    }
  }

  /** The label of its engines, which ties them to the declaration and its revision. */
  public String label() {
    return "declared model " + name + " rev " + revision();
  }

  /** The declared model's name and revision an engine label names, if it is such a label. */
  public static Optional<String[]> parseLabel(String label) {
    if (label == null) {
      return Optional.empty();
    }
    Matcher m = LABEL.matcher(label);
    return m.matches() ? Optional.of(new String[] {m.group(1), m.group(2)}) : Optional.empty();
  }

  /** The launch request of one replica. */
  public StartRequest startRequest() {
    return new StartRequest(
        model,
        engineKind,
        runtime,
        null,
        gpu > 0 ? gpu : null,
        null,
        gpu > 0,
        name,
        label(),
        extraArgs,
        options);
  }

  /**
   * The declaration as the file and the API write it (the name is the key around it), in a stable
   * order: the fields in the file's documented order, the options in declaration order.
   */
  public Map<String, Object> fields() {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("model", model);
    fields.put("runtime", runtime);
    fields.put("engine_kind", engineKind);
    if (!aliases.isEmpty()) {
      fields.put("aliases", aliases);
    }
    if (!options.isEmpty()) {
      fields.put("options", new LinkedHashMap<>(options));
    }
    if (!extraArgs.isEmpty()) {
      fields.put("extra_args", extraArgs);
    }
    if (gpu > 0) {
      fields.put("gpu", gpu);
    }
    Map<String, Object> replicas = new LinkedHashMap<>();
    replicas.put("min", minReplicas);
    replicas.put("max", maxReplicas);
    fields.put("replicas", replicas);
    if (idleTimeout != null) {
      fields.put("idle_timeout", Durations.format(idleTimeout));
    }
    if (group != null) {
      fields.put("group", group);
    }
    if (maxWaiting != DEFAULT_MAX_WAITING) {
      fields.put("max_waiting", maxWaiting);
    }
    if (targetInFlight != DEFAULT_TARGET_IN_FLIGHT) {
      fields.put("target_in_flight", targetInFlight);
    }
    return fields;
  }
}
