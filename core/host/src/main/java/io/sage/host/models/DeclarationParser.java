package io.sage.host.models;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads declarations from what a YAML or JSON parser made of them (maps, lists, strings, numbers,
 * booleans), strictly: every unknown key, wrong type or bad value is a sentence naming its field
 * ({@code models.qwen.idle_timeout: ...}); nothing is guessed.
 */
public final class DeclarationParser {
  /** Names clients put in {@code model}: no spaces, at most 100 characters. */
  public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,99}");

  static final Set<String> MODEL_KEYS =
      Set.of(
          "model",
          "runtime",
          "engine_kind",
          "aliases",
          "options",
          "extra_args",
          "gpu",
          "replicas",
          "on_demand",
          "idle_timeout",
          "group",
          "max_waiting",
          "target_in_flight");

  static final Set<String> GROUP_KEYS = Set.of("max_loaded");

  private DeclarationParser() {}

  /** Every model of a {@code models:} mapping (name → fields); problems added for the bad ones. */
  public static List<ModelDeclaration> models(Object value, Origin origin, List<String> problems) {
    List<ModelDeclaration> models = new ArrayList<>();
    if (value == null) {
      return models;
    }
    if (!(value instanceof Map<?, ?> map)) {
      problems.add("models: must be a mapping of model names to their declarations");
      return models;
    }
    for (Map.Entry<?, ?> entry : map.entrySet()) {
      model(String.valueOf(entry.getKey()), entry.getValue(), origin, "models.", problems)
          .ifPresent(models::add);
    }
    return models;
  }

  /** Every group of a {@code groups:} mapping. */
  public static List<ModelGroup> groups(Object value, Origin origin, List<String> problems) {
    List<ModelGroup> groups = new ArrayList<>();
    if (value == null) {
      return groups;
    }
    if (!(value instanceof Map<?, ?> map)) {
      problems.add("groups: must be a mapping of group names to {max_loaded: N}");
      return groups;
    }
    for (Map.Entry<?, ?> entry : map.entrySet()) {
      group(String.valueOf(entry.getKey()), entry.getValue(), origin, "groups.", problems)
          .ifPresent(groups::add);
    }
    return groups;
  }

  /** One group; {@code prefix} starts the field names in problems. */
  public static Optional<ModelGroup> group(
      String name, Object value, Origin origin, String prefix, List<String> problems) {
    String at = prefix + name;
    int before = problems.size();
    if (!NAME.matcher(name).matches()) {
      problems.add(at + ": a group name is letters, digits and ._:/@+- (at most 100)");
    }
    Map<String, Object> fields = fields(at, value, GROUP_KEYS, problems);
    Integer maxLoaded = integer(at + ".max_loaded", fields.get("max_loaded"), 1, problems);
    if (!fields.containsKey("max_loaded") && fields != EMPTY) {
      problems.add(at + ".max_loaded: required");
    }
    if (problems.size() > before || maxLoaded == null) {
      return Optional.empty();
    }
    return Optional.of(new ModelGroup(name, maxLoaded, origin));
  }

  /** One model; {@code prefix} starts the field names in problems ({@code models.}). */
  public static Optional<ModelDeclaration> model(
      String name, Object value, Origin origin, String prefix, List<String> problems) {
    String at = prefix + name;
    int before = problems.size();
    if (!NAME.matcher(name).matches()) {
      problems.add(at + ": a model name is letters, digits and ._:/@+- (at most 100)");
    }
    Map<String, Object> f = fields(at, value, MODEL_KEYS, problems);
    String model = string(at + ".model", f.get("model"), problems);
    String runtime = string(at + ".runtime", f.get("runtime"), problems);
    if (f != EMPTY && model == null && !f.containsKey("model")) {
      problems.add(at + ".model: required (what the runtime loads)");
    }
    if (f != EMPTY && runtime == null && !f.containsKey("runtime")) {
      problems.add(at + ".runtime: required (mock, vllm, embedding, ...)");
    }
    String kind = string(at + ".engine_kind", f.get("engine_kind"), problems);
    if (kind != null && !kind.equals("llm") && !kind.equals("embedding")) {
      problems.add(at + ".engine_kind: must be llm or embedding, got '" + kind + "'");
    }
    List<String> aliases = strings(at + ".aliases", f.get("aliases"), problems);
    for (String alias : aliases) {
      if (!NAME.matcher(alias).matches()) {
        problems.add(at + ".aliases: '" + alias + "' is not a valid model name");
      }
      if (alias.equals(name)) {
        problems.add(at + ".aliases: '" + alias + "' is the model's own name");
      }
    }
    Map<String, String> options = options(at + ".options", f.get("options"), problems);
    List<String> extraArgs = strings(at + ".extra_args", f.get("extra_args"), problems);
    Integer gpu = integer(at + ".gpu", f.get("gpu"), 0, problems);
    int[] replicas = replicas(at + ".replicas", f, problems);
    Duration idle = null;
    if (f.get("idle_timeout") != null) {
      String text = String.valueOf(f.get("idle_timeout"));
      idle = Durations.parse(text).orElse(null);
      if (idle == null || idle.isZero()) {
        problems.add(
            at
                + ".idle_timeout: '"
                + text
                + "' is not a duration (a positive number with ms, s, m, h or d: 10m)");
      } else if (replicas != null && replicas[0] > 0) {
        problems.add(
            at + ".idle_timeout: only an on-demand model (replicas.min 0) can be unloaded");
      }
    }
    String group = string(at + ".group", f.get("group"), problems);
    if (group != null && replicas != null && replicas[0] > 0) {
      problems.add(at + ".group: only on-demand models (replicas.min 0) can be swapped");
    }
    Integer maxWaiting = integer(at + ".max_waiting", f.get("max_waiting"), 0, problems);
    Integer target = integer(at + ".target_in_flight", f.get("target_in_flight"), 1, problems);
    if (problems.size() > before || replicas == null) {
      return Optional.empty();
    }
    return Optional.of(
        new ModelDeclaration(
            name,
            model,
            runtime,
            kind,
            aliases,
            options,
            extraArgs,
            gpu == null ? 0 : gpu,
            replicas[0],
            replicas[1],
            idle,
            group,
            maxWaiting == null ? ModelDeclaration.DEFAULT_MAX_WAITING : maxWaiting,
            target == null ? ModelDeclaration.DEFAULT_TARGET_IN_FLIGHT : target,
            origin));
  }

  private static final Map<String, Object> EMPTY = Map.of();

  private static Map<String, Object> fields(
      String at, Object value, Set<String> known, List<String> problems) {
    if (!(value instanceof Map<?, ?> map)) {
      problems.add(at + ": must be a mapping of keys (" + String.join(", ", sorted(known)) + ")");
      return EMPTY;
    }
    Map<String, Object> fields = new LinkedHashMap<>();
    for (Map.Entry<?, ?> entry : map.entrySet()) {
      String key = String.valueOf(entry.getKey());
      if (!known.contains(key)) {
        problems.add(
            at + "." + key + ": unknown key (known: " + String.join(", ", sorted(known)) + ")");
      } else {
        fields.put(key, entry.getValue());
      }
    }
    return fields;
  }

  /** {min, max}: a number n means n..n; on_demand means min 0; null when invalid. */
  private static int[] replicas(String at, Map<String, Object> f, List<String> problems) {
    Object value = f.get("replicas");
    Boolean onDemand = bool(at.replace(".replicas", ".on_demand"), f.get("on_demand"), problems);
    int min;
    int max;
    if (value == null) {
      min = Boolean.TRUE.equals(onDemand) ? 0 : 1;
      max = 1;
    } else if (value instanceof Map<?, ?> map) {
      Map<String, Object> r = fields(at, map, Set.of("min", "max"), problems);
      Integer lo = integer(at + ".min", r.get("min"), 0, problems);
      Integer hi = integer(at + ".max", r.get("max"), 1, problems);
      min = lo == null ? (Boolean.TRUE.equals(onDemand) ? 0 : 1) : lo;
      max = hi == null ? Math.max(1, min) : hi;
    } else {
      Integer n = integer(at, value, 1, problems);
      if (n == null) {
        return null;
      }
      min = n;
      max = n;
    }
    if (min > max) {
      problems.add(at + ": min " + min + " is greater than max " + max);
      return null;
    }
    if (Boolean.TRUE.equals(onDemand) && min > 0) {
      problems.add(at + ".min: an on_demand model has min 0 (got " + min + ")");
      return null;
    }
    if (Boolean.FALSE.equals(onDemand) && min == 0) {
      problems.add(at + ".min: 0 means on demand, but on_demand is false");
      return null;
    }
    return new int[] {min, max};
  }

  private static String string(String at, Object value, List<String> problems) {
    if (value == null) {
      return null;
    }
    if (value instanceof String s && !s.isBlank()) {
      return s;
    }
    problems.add(at + ": must be a non-empty string, got " + describe(value));
    return null;
  }

  private static Boolean bool(String at, Object value, List<String> problems) {
    if (value == null) {
      return null;
    }
    if (value instanceof Boolean b) {
      return b;
    }
    problems.add(at + ": must be true or false, got " + describe(value));
    return null;
  }

  private static Integer integer(String at, Object value, int min, List<String> problems) {
    if (value == null) {
      return null;
    }
    if ((value instanceof Integer || value instanceof Long)
        && ((Number) value).longValue() >= min
        && ((Number) value).longValue() <= 100_000) {
      return ((Number) value).intValue();
    }
    problems.add(
        at + ": must be a whole number from " + min + " to 100000, got " + describe(value));
    return null;
  }

  private static List<String> strings(String at, Object value, List<String> problems) {
    if (value == null) {
      return List.of();
    }
    if (value instanceof List<?> list) {
      List<String> out = new ArrayList<>();
      for (Object item : list) {
        if (item instanceof String s && !s.isBlank()) {
          out.add(s);
        } else {
          problems.add(at + ": every item must be a non-empty string, got " + describe(item));
        }
      }
      return out;
    }
    problems.add(at + ": must be a list of strings, got " + describe(value));
    return List.of();
  }

  private static Map<String, String> options(String at, Object value, List<String> problems) {
    if (value == null) {
      return Map.of();
    }
    if (!(value instanceof Map<?, ?> map)) {
      problems.add(at + ": must be a mapping of option names to values");
      return Map.of();
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> entry : map.entrySet()) {
      Object v = entry.getValue();
      if (v instanceof String || v instanceof Number || v instanceof Boolean) {
        out.put(String.valueOf(entry.getKey()), String.valueOf(v));
      } else {
        problems.add(at + "." + entry.getKey() + ": must be a string, number or boolean");
      }
    }
    return out;
  }

  private static String describe(Object value) {
    if (value == null) {
      return "nothing";
    }
    if (value instanceof String s) {
      return "'" + s + "'";
    }
    if (value instanceof Map<?, ?>) {
      return "a mapping";
    }
    if (value instanceof List<?>) {
      return "a list";
    }
    return String.valueOf(value);
  }

  private static List<String> sorted(Set<String> keys) {
    return keys.stream().sorted().toList();
  }
}
