package io.sage.gateway.wiring;

import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.sage.host.ControlPlane;
import io.sage.host.DeclaredModels;
import io.sage.host.store.ModelStore;
import jakarta.inject.Singleton;

/** The declared models on top of the control plane and their store. */
@Factory
class ModelsFactory {

  @Singleton
  @Bean(preDestroy = "close")
  DeclaredModels declaredModels(ControlPlane controlPlane, ModelStore store) {
    return new DeclaredModels(controlPlane, store);
  }
}
