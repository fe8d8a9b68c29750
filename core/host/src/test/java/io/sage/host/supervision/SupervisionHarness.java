package io.sage.host.supervision;

import static org.assertj.core.api.Assertions.assertThat;

import io.sage.host.engine.EngineEntry;
import io.sage.host.engine.EngineEvent;
import io.sage.host.engine.EngineIds;
import io.sage.host.engine.EngineRecord;
import io.sage.host.engine.EngineRegistry;
import io.sage.host.engine.EngineState;
import io.sage.host.engine.Placement;
import io.sage.host.fake.FakeProcessTable;
import io.sage.host.fake.FakeRuntime;
import io.sage.host.fake.FakeRuntimes;
import io.sage.host.fake.ManualScheduler;
import io.sage.host.fake.ScriptedProber;
import io.sage.host.port.PortAllocator;
import io.sage.host.process.EngineLogs;
import io.sage.host.store.InMemoryEngineStore;
import io.sage.spi.engine.EngineKind;
import io.sage.spi.engine.EngineRuntimeFactory;
import io.sage.spi.engine.EngineSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Supervision wired to fakes: a manual scheduler, an in-memory process table, scripted probes, an
 * in-memory store and a fake runtime. Time moves only when a test advances it.
 */
final class SupervisionHarness {
  final ManualScheduler scheduler = new ManualScheduler();
  final FakeProcessTable processes = new FakeProcessTable(scheduler.clock());
  final ScriptedProber prober = new ScriptedProber();
  final InMemoryEngineStore store;
  final EngineRegistry registry;
  final FakeRuntime runtime = new FakeRuntime("fake");
  final PortAllocator ports = new PortAllocator(47000, 47999, Set.of(), "127.0.0.1");
  final EngineLogs logs;
  final Supervision supervision;
  final SupervisionConfig config;

  /** Where within the ×0.8–1.2 jitter the next delays fall: 0.5 gives exactly ×1. */
  final AtomicReference<Double> jitter = new AtomicReference<>(0.5);

  SupervisionHarness(Path dir) {
    this(dir, SupervisionConfig.defaults(), new InMemoryEngineStore());
  }

  SupervisionHarness(Path dir, SupervisionConfig config) {
    this(dir, config, new InMemoryEngineStore());
  }

  SupervisionHarness(Path dir, SupervisionConfig config, InMemoryEngineStore store) {
    this(dir, config, store, new EngineRuntimeFactory[0]);
  }

  /** With more runtimes loaded beside the fake one (a job runtime, ...). */
  SupervisionHarness(
      Path dir, SupervisionConfig config, InMemoryEngineStore store, EngineRuntimeFactory... more) {
    this.config = config;
    this.store = store;
    this.registry = new EngineRegistry(store, scheduler.clock());
    this.logs = new EngineLogs(dir.resolve("engines"), 1 << 20, 3);
    this.supervision =
        new Supervision(
            new Supervision.Parts(
                registry,
                new FakeRuntimes(runtimes(runtime, more)),
                processes,
                processes,
                prober,
                ports,
                logs,
                scheduler,
                () -> jitter.get(),
                Path.of("/usr/bin/java")),
            config);
  }

  private static EngineRuntimeFactory[] runtimes(
      EngineRuntimeFactory first, EngineRuntimeFactory... more) {
    EngineRuntimeFactory[] all = new EngineRuntimeFactory[more.length + 1];
    all[0] = first;
    System.arraycopy(more, 0, all, 1, more.length);
    return all;
  }

  static EngineSpec spec(String model, Map<String, String> options) {
    return new EngineSpec(
        model, null, EngineKind.LLM, "fake", null, 1, List.of(), false, null, List.of(), options);
  }

  /** A new engine, launched: STARTING with a live fake process. */
  EngineEntry launch(String model) {
    return launch(model, Map.of());
  }

  EngineEntry launch(String model, Map<String, String> options) {
    String id = EngineIds.next();
    int port = ports.allocate(id);
    EngineRecord record =
        EngineRecord.starting(
            id,
            spec(model, options),
            Placement.local("127.0.0.1", port, List.of(), 0),
            "sk-engine-" + id,
            scheduler.now());
    EngineEntry entry = registry.create(record, "launched by test");
    supervision.launch(entry);
    scheduler.runDue();
    return entry;
  }

  /** A launched engine that passed its first probe. */
  EngineEntry ready(String model) {
    return ready(model, Map.of());
  }

  EngineEntry ready(String model, Map<String, String> options) {
    EngineEntry entry = launch(model, options);
    prober.healthy(entry.record().baseUrl());
    awaitState(entry, EngineState.READY, Duration.ofSeconds(2));
    return entry;
  }

  void start() {
    supervision.startMonitoring();
  }

  void awaitState(EngineEntry entry, EngineState state, Duration limit) {
    scheduler.advanceUntil(() -> entry.state() == state, limit);
  }

  FakeProcessTable.FakeProcess process(EngineEntry entry) {
    long pid = entry.record().process().pid();
    assertThat(pid).as("engine %s has a process", entry.id()).isGreaterThan(1);
    return processes.process(pid);
  }

  /** The engine's transitions, oldest first, as "FROM->TO: reason". */
  List<String> history(EngineEntry entry) {
    List<EngineEvent> newestFirst = store.events(entry.id(), 1000);
    List<String> lines = new ArrayList<>();
    for (int i = newestFirst.size() - 1; i >= 0; i--) {
      EngineEvent e = newestFirst.get(i);
      lines.add(e.from() + "->" + e.to() + ": " + e.reason());
    }
    return lines;
  }

  /** The reason of the engine's latest transition. */
  String lastReason(EngineEntry entry) {
    return store.events(entry.id(), 1).get(0).reason();
  }
}
