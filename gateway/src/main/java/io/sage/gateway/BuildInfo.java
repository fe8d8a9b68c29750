package io.sage.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The version and git commit this build was made from, written into {@code build.properties} by the
 * build (gateway/pom.xml); "unknown" when the classes were built outside a git checkout.
 */
public record BuildInfo(String version, String commit) {
  private static final BuildInfo CURRENT = load();

  public static BuildInfo current() {
    return CURRENT;
  }

  /** {@code sage 0.1.0 (commit 1a2b3c4d5e6f)}. */
  public String describe() {
    return "sage " + version + " (commit " + commit + ")";
  }

  private static BuildInfo load() {
    Properties properties = new Properties();
    try (InputStream in = BuildInfo.class.getResourceAsStream("build.properties")) {
      if (in != null) {
        properties.load(in);
      }
    } catch (IOException e) {
      // an unreadable resource is reported as unknown, like a missing one
    }
    return new BuildInfo(
        properties.getProperty("version", "unknown").trim(),
        properties.getProperty("commit", "unknown").trim());
  }
}
