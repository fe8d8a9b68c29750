package io.sage.bench;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@code --name value} pairs; repeated names keep every value. */
final class Args {
  private final Map<String, List<String>> values = new HashMap<>();

  Args(String[] argv, int from) {
    for (int i = from; i < argv.length; i++) {
      if (!argv[i].startsWith("--") || i + 1 >= argv.length) {
        throw new IllegalArgumentException("expected --name value, got " + argv[i]);
      }
      values.computeIfAbsent(argv[i].substring(2), k -> new ArrayList<>()).add(argv[++i]);
    }
  }

  String string(String name, String fallback) {
    List<String> v = values.get(name);
    return v == null ? fallback : v.get(v.size() - 1);
  }

  String required(String name) {
    String v = string(name, null);
    if (v == null) {
      throw new IllegalArgumentException("--" + name + " is required");
    }
    return v;
  }

  int integer(String name, int fallback) {
    return Integer.parseInt(string(name, Integer.toString(fallback)));
  }

  double decimal(String name, double fallback) {
    return Double.parseDouble(string(name, Double.toString(fallback)));
  }

  List<String> all(String name) {
    return values.getOrDefault(name, List.of());
  }

  URI uri(String name) {
    return URI.create(required(name));
  }
}
