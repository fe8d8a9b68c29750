package io.sage.gateway.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A config section that is one configuration record: its keys are the record's components in kebab
 * case, their defaults the records' {@code @Bindable} defaults (written only there), and a section
 * is valid when the record can be built from it (the record's own checks run). Values are checked
 * with the conversions Micronaut applies to the same properties.
 */
final class RecordSection implements ConfigSection {
  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");

  private final String name;
  private final String prefix;
  private final Class<? extends Record> type;

  RecordSection(String name, String prefix, Class<? extends Record> type) {
    this.name = name;
    this.prefix = prefix;
    this.type = type;
  }

  /** The section of a {@code @ConfigurationProperties} record, named by its prefix less "sage.". */
  static RecordSection of(Class<? extends Record> type) {
    String prefix = type.getAnnotation(ConfigurationProperties.class).value();
    return new RecordSection(
        prefix.startsWith("sage.") ? prefix.substring(5) : prefix, prefix, type);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Map<String, String> defaults() {
    Map<String, String> defaults = new LinkedHashMap<>();
    for (RecordComponent component : type.getRecordComponents()) {
      defaults.put(kebab(component.getName()), defaultOf(component));
    }
    return defaults;
  }

  @Override
  public void read(Object value, Map<String, Object> properties, List<String> problems) {
    if (!(value instanceof Map<?, ?> given)) {
      problems.add(
          name + ": must be a mapping of keys (" + String.join(", ", defaults().keySet()) + ")");
      return;
    }
    Map<String, RecordComponent> byKey = new LinkedHashMap<>();
    for (RecordComponent component : type.getRecordComponents()) {
      byKey.put(kebab(component.getName()), component);
    }
    Map<String, Object> converted = new LinkedHashMap<>();
    int before = problems.size();
    for (Map.Entry<?, ?> entry : given.entrySet()) {
      String key = String.valueOf(entry.getKey());
      RecordComponent component = byKey.get(key);
      if (component == null) {
        problems.add(
            name + "." + key + ": unknown key (known: " + String.join(", ", byKey.keySet()) + ")");
        continue;
      }
      try {
        Object typed = convert(component.getType(), entry.getValue());
        converted.put(key, typed);
        if (typed instanceof List<?> list) {
          // Micronaut reads a comma-separated text as a list, as it does from the environment
          if (!list.isEmpty()) {
            properties.put(
                prefix + "." + key, String.join(",", list.stream().map(String::valueOf).toList()));
          }
        } else {
          properties.put(prefix + "." + key, String.valueOf(entry.getValue()));
        }
      } catch (IllegalArgumentException e) {
        problems.add(name + "." + key + ": " + e.getMessage());
      }
    }
    if (problems.size() == before) {
      check(byKey, converted, problems);
    }
  }

  /** Builds the record from the given values and the defaults, so its own checks run. */
  private void check(
      Map<String, RecordComponent> byKey, Map<String, Object> converted, List<String> problems) {
    List<Object> arguments = new ArrayList<>();
    List<Class<?>> types = new ArrayList<>();
    for (Map.Entry<String, RecordComponent> entry : byKey.entrySet()) {
      RecordComponent component = entry.getValue();
      types.add(component.getType());
      arguments.add(
          converted.containsKey(entry.getKey())
              ? converted.get(entry.getKey())
              : convert(component.getType(), defaultOf(component)));
    }
    try {
      Constructor<? extends Record> constructor =
          type.getDeclaredConstructor(types.toArray(Class<?>[]::new));
      constructor.newInstance(arguments.toArray());
    } catch (InvocationTargetException e) {
      problems.add(String.valueOf(e.getCause().getMessage()));
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("config record " + type.getName() + " cannot be built", e);
    }
  }

  static Object convert(Class<?> target, Object value) {
    if (value == null) {
      throw new IllegalArgumentException("needs a value");
    }
    String text = String.valueOf(value).trim();
    if (target == String.class) {
      if (value instanceof Map || value instanceof List) {
        throw new IllegalArgumentException("must be a text, got " + describe(value));
      }
      return text;
    }
    if (target == boolean.class) {
      if (text.equals("true") || text.equals("false")) {
        return Boolean.parseBoolean(text);
      }
      throw new IllegalArgumentException("must be true or false, got " + describe(value));
    }
    if (target == int.class || target == long.class) {
      try {
        long number = Long.parseLong(text);
        if (target == int.class && (number > Integer.MAX_VALUE || number < Integer.MIN_VALUE)) {
          throw new IllegalArgumentException("is too large: " + text);
        }
        return target == int.class ? (Object) (int) number : (Object) number;
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("must be a whole number, got " + describe(value));
      }
    }
    if (target == Duration.class) {
      return duration(text, value);
    }
    if (target == List.class) {
      return list(text, value);
    }
    throw new IllegalStateException("no conversion to " + target);
  }

  /** A list of texts: a YAML list, or one comma-separated text; {@code []} is the empty list. */
  private static List<String> list(String text, Object value) {
    if (value instanceof List<?> items) {
      List<String> texts = new ArrayList<>();
      for (Object item : items) {
        if (item == null || item instanceof Map || item instanceof List) {
          throw new IllegalArgumentException("must be a list of texts, got " + describe(value));
        }
        String one = String.valueOf(item).trim();
        if (one.isEmpty() || one.contains(",")) {
          throw new IllegalArgumentException("has an empty entry or one with a comma: " + value);
        }
        texts.add(one);
      }
      return List.copyOf(texts);
    }
    if (value instanceof Map) {
      throw new IllegalArgumentException("must be a list of texts, got " + describe(value));
    }
    if (text.isEmpty() || text.equals("[]")) {
      return List.of();
    }
    return java.util.Arrays.stream(text.split(","))
        .map(String::trim)
        .filter(t -> !t.isEmpty())
        .toList();
  }

  private static Duration duration(String text, Object value) {
    Matcher matcher = DURATION.matcher(text);
    if (matcher.matches()) {
      long amount = Long.parseLong(matcher.group(1));
      return switch (matcher.group(2)) {
        case "ms" -> Duration.ofMillis(amount);
        case "s" -> Duration.ofSeconds(amount);
        case "m" -> Duration.ofMinutes(amount);
        case "h" -> Duration.ofHours(amount);
        case "d" -> Duration.ofDays(amount);
        default -> throw new IllegalStateException("unit " + matcher.group(2));
      };
    }
    throw new IllegalArgumentException(
        "must be a duration like 250ms, 5s, 10m, 1h or 1d, got " + describe(value));
  }

  private static String describe(Object value) {
    return value instanceof String ? "'" + value + "'" : String.valueOf(value);
  }

  private static String defaultOf(RecordComponent component) {
    Bindable bindable = component.getAccessor().getAnnotation(Bindable.class);
    if (bindable == null) {
      try {
        bindable =
            component
                .getDeclaringRecord()
                .getDeclaredField(component.getName())
                .getAnnotation(Bindable.class);
      } catch (NoSuchFieldException e) {
        throw new IllegalStateException(e);
      }
    }
    if (bindable == null && component.getType() == List.class) {
      return "[]"; // a list setting is empty unless given
    }
    if (bindable == null) {
      throw new IllegalStateException(
          component.getDeclaringRecord().getName()
              + "."
              + component.getName()
              + " has no @Bindable default");
    }
    return bindable.defaultValue();
  }

  static String kebab(String camel) {
    return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
  }
}
