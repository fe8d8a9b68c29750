package io.sage.host.models;

import io.sage.host.EngineSnapshot;
import io.sage.host.engine.DesiredState;
import io.sage.host.engine.EngineRecord;
import io.sage.host.engine.EngineState;
import io.sage.host.engine.Placement;
import io.sage.spi.engine.EngineKind;
import io.sage.spi.engine.EngineSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Declarations and engine snapshots for the pure model rules' tests. */
final class ModelFixtures {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private ModelFixtures() {}

  static ModelDeclaration model(String name, int min, int max) {
    return new ModelDeclaration(
        name,
        "org/" + name,
        "mock",
        "llm",
        List.of(),
        Map.of(),
        List.of(),
        0,
        min,
        max,
        null,
        null,
        ModelDeclaration.DEFAULT_MAX_WAITING,
        ModelDeclaration.DEFAULT_TARGET_IN_FLIGHT,
        Origin.FILE);
  }

  static ModelDeclaration withTarget(ModelDeclaration d, int targetInFlight) {
    return copy(
        d,
        d.options(),
        d.gpu(),
        d.minReplicas(),
        d.maxReplicas(),
        d.idleTimeout(),
        d.group(),
        targetInFlight);
  }

  static ModelDeclaration withOptions(ModelDeclaration d, Map<String, String> options) {
    return copy(
        d,
        options,
        d.gpu(),
        d.minReplicas(),
        d.maxReplicas(),
        d.idleTimeout(),
        d.group(),
        d.targetInFlight());
  }

  static ModelDeclaration withReplicas(ModelDeclaration d, int min, int max) {
    return copy(d, d.options(), d.gpu(), min, max, d.idleTimeout(), d.group(), d.targetInFlight());
  }

  static ModelDeclaration withIdle(ModelDeclaration d, Duration idle) {
    return copy(
        d,
        d.options(),
        d.gpu(),
        d.minReplicas(),
        d.maxReplicas(),
        idle,
        d.group(),
        d.targetInFlight());
  }

  /** {@code d} on {@code gpu} GPUs in swap group {@code group}. */
  static ModelDeclaration inGroup(ModelDeclaration d, String group, int gpu) {
    return copy(
        d,
        d.options(),
        gpu,
        d.minReplicas(),
        d.maxReplicas(),
        d.idleTimeout(),
        group,
        d.targetInFlight());
  }

  private static ModelDeclaration copy(
      ModelDeclaration d,
      Map<String, String> options,
      int gpu,
      int min,
      int max,
      Duration idle,
      String group,
      int targetInFlight) {
    return new ModelDeclaration(
        d.name(),
        d.model(),
        d.runtime(),
        d.engineKind(),
        d.aliases(),
        options,
        d.extraArgs(),
        gpu,
        min,
        max,
        idle,
        group,
        d.maxWaiting(),
        targetInFlight,
        d.origin());
  }

  /** An engine of {@code d}'s current revision. */
  static EngineSnapshot engine(String id, ModelDeclaration d, EngineState state, int inFlight) {
    return engine(id, d.name(), d.label(), state, DesiredState.RUNNING, inFlight);
  }

  /** An engine of {@code d}'s current revision launched {@code minutesAfterT0} after T0. */
  static EngineSnapshot engineAt(
      String id, ModelDeclaration d, EngineState state, int inFlight, int minutesAfterT0) {
    return engine(
        id,
        d.name(),
        d.label(),
        state,
        DesiredState.RUNNING,
        inFlight,
        T0.plus(Duration.ofMinutes(minutesAfterT0)));
  }

  static EngineSnapshot engine(
      String id,
      String served,
      String label,
      EngineState state,
      DesiredState desired,
      int inFlight) {
    return engine(id, served, label, state, desired, inFlight, T0);
  }

  static EngineSnapshot engine(
      String id,
      String served,
      String label,
      EngineState state,
      DesiredState desired,
      int inFlight,
      Instant created) {
    EngineSpec spec =
        new EngineSpec(
            "org/" + served,
            served,
            EngineKind.LLM,
            "mock",
            null,
            1,
            List.of(),
            false,
            label,
            List.of(),
            Map.of());
    EngineRecord record =
        EngineRecord.starting(
                id, spec, Placement.local("127.0.0.1", 41000, List.of(), 0), "k", created)
            .withState(state, created)
            .withDesiredState(desired, created);
    return new EngineSnapshot(record, inFlight);
  }

  static Declarations declarations(ModelDeclaration... models) {
    return new Declarations(List.of(models), List.of());
  }
}
