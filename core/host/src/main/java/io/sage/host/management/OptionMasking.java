package io.sage.host.management;

import io.sage.host.plugin.RuntimeCatalog;
import io.sage.spi.engine.EngineRuntimeFactory;
import io.sage.spi.engine.EngineSpec;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Engine options as they may be shown: values of secret options replaced by {@code ****}. Secret
 * are the options the runtime names, and any whose name says so whatever the runtime says.
 */
final class OptionMasking {
  /** *_key, *token, *secret, *password, *credentials. */
  private static final Pattern SECRET_NAME =
      Pattern.compile("(^|[_.-])(key|api_key|token|secret|password|passwd|credentials?)$");

  private final RuntimeCatalog plugins;

  OptionMasking(RuntimeCatalog plugins) {
    this.plugins = plugins;
  }

  Map<String, String> masked(EngineSpec spec) {
    Set<String> secret =
        plugins
            .findRuntime(spec.runtime())
            .map(EngineRuntimeFactory::secretOptions)
            .orElse(Set.of());
    Map<String, String> shown = new TreeMap<>();
    for (Map.Entry<String, String> option : spec.options().entrySet()) {
      String key = option.getKey();
      boolean isSecret = secret.contains(key) || SECRET_NAME.matcher(key).find();
      shown.put(key, isSecret ? "****" : option.getValue());
    }
    return shown;
  }
}
