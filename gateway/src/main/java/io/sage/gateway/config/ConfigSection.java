package io.sage.gateway.config;

import java.util.List;
import java.util.Map;

/**
 * One top-level section of the config file ({@code server:}, {@code health:}...). A section checks
 * its part of the file and turns it into gateway properties; sections that are not a flat group of
 * settings (the declared {@code models:} of issue 16, say) implement this interface themselves.
 */
public interface ConfigSection {

  /** The section's key in the file. */
  String name();

  /** Its keys with their defaults, for the documentation and error messages. */
  Map<String, String> defaults();

  /**
   * Checks {@code value} (what the YAML parser made of the section) and adds the properties it sets
   * to {@code properties}; every problem is a sentence naming the key ({@code health.interval:
   * ...}), added to {@code problems}.
   */
  void read(Object value, Map<String, Object> properties, List<String> problems);
}
