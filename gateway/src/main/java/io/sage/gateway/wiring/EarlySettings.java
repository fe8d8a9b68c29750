package io.sage.gateway.wiring;

import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Reads a setting the gateway needs before its application context exists (the database, the node
 * id), with the precedence Micronaut gives every other one: {@code -D} system properties, then the
 * environment (the property in upper case, dots and dashes as underscores), then the config file.
 */
public final class EarlySettings {
  private EarlySettings() {}

  /** The value of {@code property}, or "" when no source sets it. */
  public static String value(
      String property, Map<String, Object> file, Map<String, String> env, Properties system) {
    String fromSystem = system.getProperty(property);
    if (fromSystem != null) {
      return fromSystem;
    }
    String variable = property.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    String fromEnv = env.get(variable);
    if (fromEnv != null) {
      return fromEnv;
    }
    Object fromFile = file.get(property);
    return fromFile == null ? "" : fromFile.toString();
  }
}
