package io.sage.host.models;

import io.sage.host.ControlPlane;
import io.sage.host.ControlPlaneEnvironment;
import io.sage.host.ControlPlaneSettings;
import io.sage.host.DeclaredModels;
import io.sage.host.EngineSnapshot;
import io.sage.host.engine.EngineState;
import io.sage.host.fake.FakeProcessTable;
import io.sage.host.fake.ManualScheduler;
import io.sage.host.fake.ScriptedProber;
import io.sage.host.management.SelfAddresses;
import io.sage.host.plugin.TestPluginJars;
import io.sage.host.store.InMemoryEngineStore;
import io.sage.host.store.InMemoryModelStore;
import io.sage.host.supervision.ProbeResult;
import io.sage.host.supervision.SupervisionConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A real control plane on the manual scheduler, the in-memory process table and scripted probes,
 * with the declared models on top. Engines stay STARTING (probes fail) until {@link #makeReady}.
 */
final class ModelsHarness implements AutoCloseable {
  final ManualScheduler scheduler = new ManualScheduler();
  final FakeProcessTable processes = new FakeProcessTable(scheduler.clock());
  final ScriptedProber prober = new ScriptedProber();
  final InMemoryEngineStore engineStore = new InMemoryEngineStore();
  final InMemoryModelStore modelStore = new InMemoryModelStore();
  final ControlPlane controlPlane;
  final DeclaredModels models;

  static void compilePlugin(Path plugins) throws Exception {
    TestPluginJars.jar(
        plugins,
        "tiny",
        ">=1.0.0",
        Map.of("t.tiny.Tiny", TestPluginJars.runtime("t.tiny", "Tiny", "tiny", "")),
        List.of("t.tiny.Tiny"));
  }

  ModelsHarness(Path plugins, Path data) {
    prober.otherwise(ProbeResult.failed("loading"));
    ControlPlaneSettings settings =
        new ControlPlaneSettings(
            List.of(plugins),
            data.resolve("engines"),
            1 << 20,
            3,
            46700,
            46799,
            "127.0.0.1",
            new SelfAddresses(8000),
            Set.of(8000),
            "",
            SupervisionConfig.defaults());
    controlPlane =
        new ControlPlane(
            settings,
            engineStore,
            new ControlPlaneEnvironment(
                scheduler, processes, processes, prober, () -> 0.5, Path.of("/usr/bin/java")));
    controlPlane.start();
    models = new DeclaredModels(controlPlane, modelStore);
  }

  /** The model's engines that are meant to run (not STOPPED nor DRAINING). */
  List<EngineSnapshot> live(String model) {
    List<EngineSnapshot> out = new ArrayList<>();
    for (EngineSnapshot e : controlPlane.engines()) {
      if (e.record().spec().servedModelName().equals(model) && ModelPlanner.live(e)) {
        out.add(e);
      }
    }
    return out;
  }

  List<EngineSnapshot> inState(String model, EngineState state) {
    return controlPlane.engines().stream()
        .filter(e -> e.record().spec().servedModelName().equals(model) && e.state() == state)
        .toList();
  }

  /** Lets every STARTING engine of the model pass its probes and waits for READY. */
  void makeReady(String model) {
    scheduler.runDue();
    for (EngineSnapshot e : inState(model, EngineState.STARTING)) {
      prober.healthy(e.record().baseUrl());
    }
    scheduler.advanceUntil(
        () ->
            !inState(model, EngineState.READY).isEmpty()
                && inState(model, EngineState.STARTING).isEmpty(),
        Duration.ofSeconds(5));
  }

  void advance(Duration d) {
    scheduler.advance(d);
  }

  @Override
  public void close() {
    models.close();
    controlPlane.close();
  }
}
