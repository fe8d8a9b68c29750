package io.sage.db.models;

import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import io.sage.host.store.ModelStore;
import java.time.Instant;

/** One row of {@code declared_models}. */
@MappedEntity(value = "declared_models", escape = false)
record DeclaredModelRow(
    @Id String id, String kind, String name, String origin, String fields, Instant updatedAt) {

  static DeclaredModelRow of(ModelStore.Row row) {
    return new DeclaredModelRow(
        row.kind() + ":" + row.name(),
        row.kind(),
        row.name(),
        row.origin(),
        row.fields(),
        row.updatedAt());
  }

  ModelStore.Row toRow() {
    return new ModelStore.Row(kind, name, origin, fields, updatedAt);
  }
}
