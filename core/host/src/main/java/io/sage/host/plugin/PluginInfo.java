package io.sage.host.plugin;

import java.util.List;

/**
 * What {@code /v1/management/plugins} shows for one plugin.
 *
 * @param id plugin id
 * @param version plugin version
 * @param state PF4J state (STARTED, FAILED, DISABLED, ...)
 * @param path where it was loaded from
 * @param extensions extension names it provides (e.g. {@code engine-runtime:mock})
 * @param error why it failed to load or to provide an extension, or null
 */
public record PluginInfo(
    String id, String version, String state, String path, List<String> extensions, String error) {
  public PluginInfo {
    extensions = List.copyOf(extensions);
  }
}
