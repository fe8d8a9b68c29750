package io.sage.db.models;

import io.sage.db.DurableWrites;
import io.sage.host.store.ModelStore;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.List;

/**
 * The declared models' tables. Replacing the declarations is one transaction: a crash leaves the
 * old set or the new one, never half of each.
 */
@Singleton
public class JdbcModelStore implements ModelStore {
  private final DeclaredModelRowRepository declarations;
  private final ModelLoadRowRepository loads;
  private final DurableWrites writes;

  JdbcModelStore(
      DeclaredModelRowRepository declarations, ModelLoadRowRepository loads, DurableWrites writes) {
    this.declarations = declarations;
    this.loads = loads;
    this.writes = writes;
  }

  @Override
  public List<Row> findAll() {
    return declarations.findAllByKindAndName().stream().map(DeclaredModelRow::toRow).toList();
  }

  @Override
  public void replaceAll(List<Row> rows) {
    writes.write(
        () -> {
          declarations.deleteEvery();
          rows.forEach(row -> declarations.save(DeclaredModelRow.of(row)));
        });
  }

  /** Not made durable at once: losing the last load time costs a less precise Retry-After. */
  @Override
  public void recordLoad(String model, long millis, Instant at) {
    loads.save(new ModelLoadRow(null, model, millis, at));
  }

  @Override
  public List<Long> recentLoads(String model, int limit) {
    return loads.findNewestFirst(model, limit).stream().map(ModelLoadRow::durationMs).toList();
  }
}
