package io.sage.gateway.limits;

import io.sage.host.ControlPlane;
import jakarta.inject.Singleton;

/** How many engines could serve a model now (READY and serving it). */
interface ReadyEngines {
  int ready(String model);

  /** The control plane's count: a scan of the registry's copy-on-write array, no lock. */
  @Singleton
  final class FromControlPlane implements ReadyEngines {
    private final ControlPlane controlPlane;

    FromControlPlane(ControlPlane controlPlane) {
      this.controlPlane = controlPlane;
    }

    @Override
    public int ready(String model) {
      return controlPlane.readyEngines(model);
    }
  }
}
