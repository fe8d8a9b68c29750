package io.sage.host.supervision;

import static org.assertj.core.api.Assertions.assertThat;

import io.sage.host.engine.EngineEntry;
import io.sage.host.engine.EngineEvent;
import io.sage.host.engine.EngineListener;
import io.sage.host.engine.EngineRecord;
import io.sage.host.engine.EngineState;
import io.sage.host.fake.FakeProcessTable.FakeProcess;
import io.sage.host.process.ProcessLauncher;
import io.sage.host.routing.EngineRouter;
import io.sage.spi.SageException;
import io.sage.spi.engine.EngineKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Issue 15, stop wins over a late probe: on the manual clock and the in-memory process table,
 * random interleavings of stops, probe answers that arrive late, process exits, manual restarts and
 * the passing of time. Whatever the order, an engine is never READY (nor routed to) while an
 * acknowledged stop is pending, and an acknowledged stop that no later restart replaced always ends
 * STOPPED with no process of the engine left.
 */
class StopWinsPropertyTest {

  /** One step of the interleaving. */
  enum Step {
    STOP_DRAINING,
    STOP_AT_ONCE,
    PROBE_ANSWERS_OK,
    PROBE_ANSWERS_FAILED,
    PROCESS_EXITS,
    MANUAL_RESTART,
    NEXT_LAUNCH_IGNORES_SIGTERM,
    TIME_PASSES_A_TICK,
    TIME_PASSES_A_SECOND,
    TIME_PASSES_LONG
  }

  @Property(tries = 300)
  void anAcknowledgedStopAlwaysEndsStoppedAndIsNeverRouted(
      @ForAll("interleavings") List<Step> steps, @ForAll boolean ignoresSigterm) throws Exception {
    Path dir = Files.createTempDirectory("stop-wins");
    SupervisionHarness h = new SupervisionHarness(dir);
    h.prober.holdAll();
    h.start();
    EngineRouter router = new EngineRouter(h.registry);
    List<String> violations = new ArrayList<>();
    boolean[] stopPending = {false};
    h.registry.addListener(
        new EngineListener() {
          @Override
          public void onTransition(EngineRecord record, EngineEvent event) {
            if (event.to() == EngineState.READY && stopPending[0]) {
              violations.add("READY with an acknowledged stop pending: " + event.reason());
            }
          }
        });
    if (ignoresSigterm) {
      // a stop then stays pending for the grace period: the window late probes fall into
      h.processes.nextLaunchIgnoresTerm();
    }
    EngineEntry entry = h.launch("m");
    List<String> trace = new ArrayList<>(List.of("ignores SIGTERM: " + ignoresSigterm));

    for (Step step : steps) {
      trace.add(step + " in " + entry.state());
      switch (step) {
        case STOP_DRAINING, STOP_AT_ONCE -> {
          try {
            h.supervision.stop(
                entry, step == Step.STOP_DRAINING, Duration.ofSeconds(1), "property");
            stopPending[0] = true;
          } catch (SageException e) {
            // DRAINING or STOPPED already: refused, nothing acknowledged
          }
        }
        case PROBE_ANSWERS_OK -> h.prober.release(ProbeResult.passed());
        case PROBE_ANSWERS_FAILED -> h.prober.release(ProbeResult.failed("503"));
        case PROCESS_EXITS -> processesOf(h, entry).forEach(p -> h.processes.exit(p.pid, 1));
        case MANUAL_RESTART -> {
          try {
            h.supervision.restart(entry, "property");
            // the operator's later word: the engine is meant to run again
            stopPending[0] = false;
          } catch (SageException e) {
            // not ERROR or STOPPED, or a stop is pending: refused
          }
        }
        case NEXT_LAUNCH_IGNORES_SIGTERM -> h.processes.nextLaunchIgnoresTerm();
        case TIME_PASSES_A_TICK -> h.scheduler.advance(Duration.ofMillis(100));
        case TIME_PASSES_A_SECOND -> h.scheduler.advance(Duration.ofSeconds(1));
        case TIME_PASSES_LONG -> h.scheduler.advance(Duration.ofSeconds(15));
      }
      h.scheduler.runDue();
      if (stopPending[0]) {
        assertThat(router.choose("m", EngineKind.LLM, Set.of()))
            .as("routed to with a stop pending, after %s", trace)
            .isEmpty();
      }
      assertThat(groupsOf(h, entry))
          .as("one process group at most, after %s", trace)
          .isLessThanOrEqualTo(1);
    }
    // late answers to whatever is still waiting, then enough time for every grace period
    h.prober.release(ProbeResult.passed());
    h.scheduler.advance(Duration.ofMinutes(2));
    h.prober.release(ProbeResult.passed());
    h.scheduler.runDue();

    assertThat(violations).as("after %s", trace).isEmpty();
    if (stopPending[0]) {
      assertThat(entry.state())
          .as("after %s; history %s", trace, h.history(entry))
          .isEqualTo(EngineState.STOPPED);
      assertThat(processesOf(h, entry)).as("after %s", trace).isEmpty();
      assertThat(router.choose("m", EngineKind.LLM, Set.of())).isEmpty();
    }
  }

  @Provide
  Arbitrary<List<Step>> interleavings() {
    return Arbitraries.of(Step.class).list().ofMinSize(1).ofMaxSize(30);
  }

  private static List<FakeProcess> processesOf(SupervisionHarness h, EngineEntry entry) {
    return h.processes.alive().stream()
        .filter(p -> entry.id().equals(p.environment.get(ProcessLauncher.ENGINE_ID_ENV)))
        .toList();
  }

  private static long groupsOf(SupervisionHarness h, EngineEntry entry) {
    return processesOf(h, entry).stream().map(p -> p.pgid).distinct().count();
  }
}
