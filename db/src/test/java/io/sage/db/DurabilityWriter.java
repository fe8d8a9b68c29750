package io.sage.db;

import io.micronaut.context.ApplicationContext;
import io.sage.db.engine.EngineFixtures;
import io.sage.host.audit.AuditEntry;
import io.sage.host.engine.EngineEvent;
import io.sage.host.engine.EngineRecord;
import io.sage.host.engine.EngineState;
import io.sage.host.store.EngineStore;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Child process of {@link DurabilityTest}: writes through the real store, prints {@code DONE} once
 * every write has been acknowledged, then waits to be killed with SIGKILL. It never closes the
 * context, so nothing is flushed on the way out.
 *
 * <p>Arguments: data dir, engine id, number of transitions, writer threads, audit rows per thread.
 */
public final class DurabilityWriter {
  private DurabilityWriter() {}

  public static void main(String[] args) throws Exception {
    Path dataDir = Path.of(args[0]);
    String engineId = args[1];
    int transitions = Integer.parseInt(args[2]);
    int threads = Integer.parseInt(args[3]);
    int auditPerThread = Integer.parseInt(args[4]);

    ApplicationContext context = TestDatabases.start(dataDir);
    EngineStore store = context.getBean(EngineStore.class);

    EngineRecord engine =
        EngineFixtures.full(engineId, Instant.now()).withState(EngineState.STARTING, Instant.now());
    store.insert(engine, EngineFixtures.firstEvent(engine));
    for (int i = 0; i < transitions; i++) {
      EngineState next =
          engine.state() == EngineState.READY
              ? EngineState.ERROR
              : engine.state() == EngineState.ERROR ? EngineState.STARTING : EngineState.READY;
      EngineRecord moved = engine.withState(next, Instant.now()).withRestart(Instant.now());
      store.transition(
          moved,
          new EngineEvent(0, engineId, engine.state(), next, "transition " + i, Instant.now()));
      engine = moved;
    }

    // concurrent writers: one transaction's commit may overlap another's
    List<Thread> writers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      String actor = "writer-" + t;
      Thread writer =
          new Thread(
              () -> {
                for (int i = 0; i < auditPerThread; i++) {
                  store.audit(
                      new AuditEntry(
                          0, Instant.now(), actor, "test.write", engineId, "ok", "row " + i));
                }
              });
      writer.start();
      writers.add(writer);
    }
    for (Thread writer : writers) {
      writer.join();
    }

    System.out.println("DONE " + engine.state() + " " + engine.restartCount());
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
