package io.sage.host.routing;

import io.sage.host.engine.DesiredState;
import io.sage.host.engine.EngineEntry;
import io.sage.host.engine.EngineRegistry;
import io.sage.host.engine.EngineState;
import io.sage.spi.engine.EngineKind;
import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Chooses the engine for a request: READY engines of the right kind serving the model (by served
 * name or model id), this node's and the other nodes' alike (docs/cluster.md); the fewest in-flight
 * requests (sent from this node) wins and ties rotate. Allocation-free on the request path apart
 * from the result.
 */
public final class EngineRouter {
  private final EngineRegistry registry;
  private final AtomicLong rotation = new AtomicLong();

  public EngineRouter(EngineRegistry registry) {
    this.registry = registry;
  }

  /**
   * The best READY engine for {@code model}, skipping the ids in {@code excluded} (tried already).
   */
  public Optional<EngineEntry> choose(String model, EngineKind kind, Collection<String> excluded) {
    EngineEntry[] all = registry.cluster();
    int best = Integer.MAX_VALUE;
    int ties = 0;
    for (EngineEntry entry : all) {
      if (eligible(entry, model, kind, excluded)) {
        int load = entry.inFlight();
        if (load < best) {
          best = load;
          ties = 1;
        } else if (load == best) {
          ties++;
        }
      }
    }
    if (ties == 0) {
      return Optional.empty();
    }
    long pick = Math.floorMod(rotation.getAndIncrement(), ties);
    int seen = 0;
    for (EngineEntry entry : all) {
      if (eligible(entry, model, kind, excluded) && entry.inFlight() == best) {
        if (seen++ == pick) {
          return Optional.of(entry);
        }
      }
    }
    // loads moved between the two passes: take any eligible engine
    for (EngineEntry entry : all) {
      if (eligible(entry, model, kind, excluded)) {
        return Optional.of(entry);
      }
    }
    return Optional.empty();
  }

  /**
   * Whether some engine of that kind is meant to serve {@code model} (running, starting, or failed
   * but to be restarted): such a model answers 503 rather than 404 when nothing is READY.
   */
  public boolean isKnown(String model, EngineKind kind) {
    for (EngineEntry entry : registry.cluster()) {
      if (entry.serves(model)
          && (kind == null || entry.record().spec().kind() == kind)
          && (entry.state() != EngineState.STOPPED
              || entry.record().desiredState() == DesiredState.RUNNING)) {
        return true;
      }
    }
    return false;
  }

  /** How many READY engines serve {@code model} now, of any kind (a scan, no lock). */
  public int readyCount(String model) {
    int ready = 0;
    for (EngineEntry entry : registry.cluster()) {
      if (entry.isRoutable() && entry.serves(model)) {
        ready++;
      }
    }
    return ready;
  }

  /** Whether a model of another kind has this name (an embedding model asked for chat, say). */
  public Optional<EngineKind> kindServing(String model) {
    for (EngineEntry entry : registry.cluster()) {
      if (entry.serves(model) && entry.state() != EngineState.STOPPED) {
        return Optional.of(entry.record().spec().kind());
      }
    }
    return Optional.empty();
  }

  private static boolean eligible(
      EngineEntry entry, String model, EngineKind kind, Collection<String> excluded) {
    return entry.isRoutable()
        && entry.record().spec().kind() == kind
        && entry.serves(model)
        && (excluded.isEmpty() || !excluded.contains(entry.id()));
  }
}
