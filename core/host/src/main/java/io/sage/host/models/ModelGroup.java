package io.sage.host.models;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A swap group: at most {@code maxLoaded} of its models run at once; a request for another one
 * stops the least recently used model that has nothing in flight.
 */
public record ModelGroup(String name, int maxLoaded, Origin origin) {
  public ModelGroup {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(origin, "origin");
  }

  /** The group as the file and the API write it. */
  public Map<String, Object> fields() {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("max_loaded", maxLoaded);
    return fields;
  }
}
