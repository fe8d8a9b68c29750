package io.sage.host.models;

/** Where a model declaration came from; the config file wins for the models it names. */
public enum Origin {
  /** The {@code models:} section of the config file. */
  FILE,
  /** {@code PUT /v1/management/models/{name}}. */
  API;

  public String wireName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
