package io.sage.gateway.limits;

import io.sage.host.engine.EngineEntry;
import io.sage.host.engine.EngineRegistry;
import jakarta.inject.Singleton;

/** How many engines could serve a model now (READY and serving it). */
interface ReadyEngines {
  int ready(String model);

  /** The registry's count: a scan of its copy-on-write array, no lock. */
  @Singleton
  final class FromRegistry implements ReadyEngines {
    private final EngineRegistry registry;

    FromRegistry(EngineRegistry registry) {
      this.registry = registry;
    }

    @Override
    public int ready(String model) {
      int ready = 0;
      for (EngineEntry entry : registry.all()) {
        if (entry.isRoutable() && entry.serves(model)) {
          ready++;
        }
      }
      return ready;
    }
  }
}
