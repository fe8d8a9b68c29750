package io.sage.host.plugin;

import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import io.sage.spi.engine.EngineRuntimeFactory;
import java.util.List;
import java.util.Optional;

/**
 * The engine runtimes the control plane can launch, by kind. {@link PluginHost} is the real one
 * (the loaded plugins); tests list factories directly.
 */
public interface RuntimeCatalog {

  Optional<EngineRuntimeFactory> findRuntime(String kind);

  /** The kinds operators may ask for, {@code remote} included. */
  List<String> runtimeKinds();

  /** The runtime factory for {@code kind}, or a 400 naming the loaded kinds. */
  default EngineRuntimeFactory runtime(String kind) {
    return findRuntime(kind)
        .orElseThrow(
            () ->
                new SageException(
                    ErrorCode.INVALID_REQUEST,
                    "unknown runtime '"
                        + kind
                        + "'; loaded runtimes: "
                        + String.join(", ", runtimeKinds()),
                    "runtime"));
  }
}
