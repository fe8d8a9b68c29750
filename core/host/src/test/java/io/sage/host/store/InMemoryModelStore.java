package io.sage.host.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A hand-written fake of the declared models' store for host unit tests (db/ tests the real one).
 */
public class InMemoryModelStore implements ModelStore {
  private final List<Row> rows = new ArrayList<>();
  private final List<String[]> loads = new ArrayList<>();

  @Override
  public synchronized List<Row> findAll() {
    return List.copyOf(rows);
  }

  @Override
  public synchronized void replaceAll(List<Row> replacement) {
    rows.clear();
    rows.addAll(replacement);
  }

  @Override
  public synchronized void recordLoad(String model, long millis, Instant at) {
    loads.add(new String[] {model, Long.toString(millis)});
  }

  @Override
  public synchronized List<Long> recentLoads(String model, int limit) {
    List<Long> out = new ArrayList<>();
    for (String[] load : loads) {
      if (load[0].equals(model)) {
        out.add(Long.parseLong(load[1]));
      }
    }
    Collections.reverse(out);
    return out.subList(0, Math.min(limit, out.size()));
  }
}
