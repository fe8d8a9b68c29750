package io.sage.gateway.management;

import io.micronaut.context.annotation.Context;
import io.sage.host.engine.EngineEntry;
import io.sage.host.engine.EngineEvent;
import io.sage.host.engine.EngineListener;
import io.sage.host.engine.EngineRegistry;
import io.sage.host.management.EngineManager;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The registry's changes as a {@link ChangeLog} for {@code GET /v1/management/events}: every
 * transition (an engine's first one is {@code engine.added}) and every engine forgotten ({@code
 * engine.removed}), each with the engine's view; a {@code snapshot} lists every engine.
 */
@Context
final class RegistryEvents implements EngineListener {
  static final int KEPT = 1024;
  private final EngineManager manager;
  private final ChangeLog log = new ChangeLog(KEPT);

  RegistryEvents(EngineRegistry registry, EngineManager manager) {
    this.manager = manager;
    registry.addListener(this);
  }

  @Override
  public void onTransition(EngineEntry entry, EngineEvent event) {
    Map<String, Object> data = new LinkedHashMap<>(EngineViews.event(event));
    data.remove("id"); // the database's id is not known yet; the log numbers its changes itself
    data.put("engine", EngineViews.info(entry, manager));
    log.publish(event.from() == null ? "engine.added" : "engine.transition", data);
  }

  @Override
  public void onRemoved(EngineEntry entry) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("engine_id", entry.id());
    data.put("engine", EngineViews.info(entry, manager));
    log.publish("engine.removed", data);
  }

  ChangeLog log() {
    return log;
  }

  /** Every engine now. */
  Map<String, Object> snapshot() {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("engines", manager.engines().stream().map(e -> EngineViews.info(e, manager)).toList());
    return data;
  }
}
