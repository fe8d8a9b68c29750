package io.sage.host.store;

import java.time.Instant;
import java.util.List;

/**
 * The declared models' persistence port (issue 16), implemented by the {@code db} module: the
 * declarations with their origin, and how long the models took to load. Writes commit before they
 * return.
 */
public interface ModelStore {

  /**
   * One stored declaration.
   *
   * @param kind {@code model} or {@code group}
   * @param name its name
   * @param origin {@code file} or {@code api}
   * @param fields its fields as JSON text, in the shape the config file writes
   * @param updatedAt when it was last stored
   */
  record Row(String kind, String name, String origin, String fields, Instant updatedAt) {}

  /** Every declaration, models and groups, by kind and name. */
  List<Row> findAll();

  /** Replaces every stored declaration with {@code rows}, atomically. */
  void replaceAll(List<Row> rows);

  /** Records that an engine of {@code model} took {@code millis} to become READY. */
  void recordLoad(String model, long millis, Instant at);

  /** The model's most recent load durations in milliseconds, newest first. */
  List<Long> recentLoads(String model, int limit);
}
