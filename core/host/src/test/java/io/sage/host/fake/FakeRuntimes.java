package io.sage.host.fake;

import io.sage.host.plugin.RuntimeCatalog;
import io.sage.spi.engine.EngineRuntimeFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A {@link RuntimeCatalog} listing factories directly, as if their plugins had loaded. */
public final class FakeRuntimes implements RuntimeCatalog {
  private final Map<String, EngineRuntimeFactory> factories = new LinkedHashMap<>();

  public FakeRuntimes(EngineRuntimeFactory... factories) {
    for (EngineRuntimeFactory factory : factories) {
      this.factories.put(factory.kind(), factory);
    }
  }

  @Override
  public Optional<EngineRuntimeFactory> findRuntime(String kind) {
    return Optional.ofNullable(factories.get(kind));
  }

  @Override
  public List<String> runtimeKinds() {
    List<String> kinds = new ArrayList<>(factories.keySet());
    kinds.add("remote");
    return kinds;
  }
}
