package io.sage.gateway.wiring;

import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Value;
import io.sage.host.Cluster;
import io.sage.host.ControlPlane;
import io.sage.host.DeclaredModels;
import io.sage.host.models.Replicas;
import io.sage.host.store.ModelStore;
import jakarta.inject.Singleton;

/**
 * The declared models on top of the control plane and their store: on H2 (one gateway) applied by
 * this node to its engines; on PostgreSQL, once other nodes share the database, by the cluster's
 * leader to every node's engines (docs/cluster.md).
 */
@Factory
class ModelsFactory {

  @Singleton
  @Bean(preDestroy = "close")
  DeclaredModels declaredModels(
      ControlPlane controlPlane,
      ModelStore store,
      Cluster cluster,
      @Value("${datasources.default.dialect:H2}") String dialect) {
    Replicas replicas =
        "H2".equalsIgnoreCase(dialect) ? Replicas.local(controlPlane) : cluster.replicas();
    return new DeclaredModels(controlPlane, store, replicas);
  }
}
