package io.sage.gateway.management;

import io.micronaut.context.annotation.Context;
import io.sage.host.ControlPlane;
import io.sage.host.EngineSnapshot;
import io.sage.host.engine.EngineEvent;
import io.sage.host.engine.EngineListener;
import io.sage.host.engine.EngineRecord;
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
  private final ControlPlane controlPlane;
  private final ChangeLog log = new ChangeLog(KEPT);

  RegistryEvents(ControlPlane controlPlane) {
    this.controlPlane = controlPlane;
    controlPlane.addListener(this);
  }

  @Override
  public void onTransition(EngineRecord record, EngineEvent event) {
    Map<String, Object> data = new LinkedHashMap<>(EngineViews.event(event));
    data.remove("id"); // the database's id is not known yet; the log numbers its changes itself
    data.put("engine", view(record));
    log.publish(event.from() == null ? "engine.added" : "engine.transition", data);
  }

  @Override
  public void onRemoved(EngineRecord record) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("engine_id", record.id());
    data.put(
        "engine",
        EngineViews.info(
            new EngineSnapshot(record, 0, controlPlane.selfNodeId().orElse(null)), controlPlane));
    log.publish("engine.removed", data);
  }

  ChangeLog log() {
    return log;
  }

  /** Every engine now. */
  Map<String, Object> snapshot() {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put(
        "engines",
        controlPlane.engines().stream().map(e -> EngineViews.info(e, controlPlane)).toList());
    return data;
  }

  private Map<String, Object> view(EngineRecord record) {
    return EngineViews.info(
        new EngineSnapshot(
            record, controlPlane.inFlight(record.id()), controlPlane.selfNodeId().orElse(null)),
        controlPlane);
  }
}
