package io.sage.gateway.config;

import java.time.Duration;

/** The checks the configuration records run in their compact constructors, naming the key. */
final class ConfigChecks {
  private ConfigChecks() {}

  static Duration positive(String key, Duration value) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(key + " must be a positive duration, got " + value);
    }
    return value;
  }

  static long atLeast(String key, long min, long value) {
    if (value < min) {
      throw new IllegalArgumentException(key + " must be at least " + min + ", got " + value);
    }
    return value;
  }

  static int port(String key, int value) {
    if (value < 1 || value > 65535) {
      throw new IllegalArgumentException(key + " must be a port from 1 to 65535, got " + value);
    }
    return value;
  }
}
