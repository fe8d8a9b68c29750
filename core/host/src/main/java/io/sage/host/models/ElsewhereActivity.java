package io.sage.host.models;

import io.sage.host.cluster.ModelActivity;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the other nodes saw of the declared models, summed per model (docs/cluster.md): the latest
 * request any of them got, and the requests waiting and in flight on all of them. The leader adds
 * it to its own when it decides idle unload, on-demand starts and scaling; alone it is {@link
 * #NONE}.
 */
final class ElsewhereActivity {
  static final ElsewhereActivity NONE = new ElsewhereActivity(List.of());

  private final Map<String, Instant> lastUsed = new HashMap<>();
  private final Map<String, Integer> waiting = new HashMap<>();
  private final Map<String, Integer> inFlight = new HashMap<>();

  ElsewhereActivity(List<ModelActivity> rows) {
    for (ModelActivity row : rows) {
      if (row.lastUsedAt() != null) {
        lastUsed.merge(row.model(), row.lastUsedAt(), (a, b) -> a.isAfter(b) ? a : b);
      }
      waiting.merge(row.model(), row.waiting(), Integer::sum);
      inFlight.merge(row.model(), row.inFlight(), Integer::sum);
    }
  }

  Optional<Instant> lastUsed(String model) {
    return Optional.ofNullable(lastUsed.get(model));
  }

  int waiting(String model) {
    return waiting.getOrDefault(model, 0);
  }

  int inFlight(String model) {
    return inFlight.getOrDefault(model, 0);
  }

  /** The later of this node's last use and the others'. */
  Optional<Instant> latest(String model, Optional<Instant> here) {
    Optional<Instant> there = lastUsed(model);
    if (here.isEmpty()) {
      return there;
    }
    if (there.isEmpty()) {
      return here;
    }
    return Optional.of(here.get().isAfter(there.get()) ? here.get() : there.get());
  }
}
