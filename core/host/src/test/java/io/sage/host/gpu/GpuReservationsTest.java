package io.sage.host.gpu;

import static io.sage.host.gpu.GpuPlacementTest.gpu;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sage.host.engine.DesiredState;
import io.sage.host.engine.EngineEvent;
import io.sage.host.engine.EngineRecord;
import io.sage.host.engine.EngineState;
import io.sage.host.engine.Placement;
import io.sage.host.engine.Records;
import io.sage.spi.SageException;
import io.sage.spi.engine.EngineKind;
import io.sage.spi.gpu.GpuDevice;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class GpuReservationsTest {
  private static final Instant AT = Instant.parse("2026-01-01T00:00:00Z");
  private final List<GpuDevice> twoGpus = List.of(gpu(0, 81920, 1024), gpu(1, 81920, 1024));
  private final GpuReservations reservations = new GpuReservations();

  private static GpuRequest request(int count, long mib) {
    return new GpuRequest(List.of(), count, new GpuMemoryNeed(mib, "test"));
  }

  @Test
  void aTwoGpuEngineTakesBothAndAThirdEngineFindsNoRoomUntilOneIsReleased() {
    assertThat(reservations.reserve("a", "a", twoGpus, Set.of(), request(2, 61440)))
        .containsExactly(0, 1);
    assertThat(reservations.reserve("b", "b", twoGpus, Set.of(), request(1, 10000)))
        .containsExactly(0);
    assertThatThrownBy(() -> reservations.reserve("c", "c", twoGpus, Set.of(), request(1, 40960)))
        .isInstanceOf(SageException.class)
        .hasMessageContaining("free now: GPU0 9456 MiB, GPU1 19456 MiB");
    assertThat(reservations.of("c")).isEmpty();
    assertThat(reservations.reservedMib())
        .containsExactly(Map.entry(0, 71440L), Map.entry(1, 61440L));
    assertThat(reservations.engineIds())
        .containsExactly(Map.entry(0, List.of("a", "b")), Map.entry(1, List.of("a")));

    reservations.release("a");
    // best fit: GPU0 (70896 MiB free) before the emptier GPU1
    assertThat(reservations.reserve("c", "c", twoGpus, Set.of(), request(1, 40960)))
        .containsExactly(0);
  }

  @Test
  void anEngineReplacedDoesNotCompeteWithItsOwnEarlierReservation() {
    reservations.reserve("a", "a", twoGpus, Set.of(), request(2, 61440));
    assertThat(reservations.reserve("a", "a", twoGpus, Set.of(), request(2, 61440)))
        .containsExactly(0, 1);
    assertThat(reservations.reservedMib()).containsEntry(0, 61440L);
  }

  @Test
  void concurrentReservationsNeverShareMemory() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    CountDownLatch go = new CountDownLatch(1);
    List<List<Integer>> placed = Collections.synchronizedList(new ArrayList<>());
    for (int i = 0; i < 16; i++) {
      String id = "e" + i;
      pool.execute(
          () -> {
            try {
              go.await();
              placed.add(reservations.reserve(id, id, twoGpus, Set.of(), request(1, 30000)));
            } catch (SageException | InterruptedException e) {
              // no room: expected for all but four
            }
          });
    }
    go.countDown();
    pool.shutdown();
    assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    // 80896 MiB free per GPU holds two 30000 MiB engines each
    assertThat(placed).hasSize(4);
    assertThat(reservations.reservedMib())
        .containsExactly(Map.entry(0, 60000L), Map.entry(1, 60000L));
  }

  @Test
  void restoreKeepsEnginesThatMayRunOrShouldRun() {
    EngineRecord ready = placed("ready", EngineState.READY, DesiredState.RUNNING);
    EngineRecord failed = placed("failed", EngineState.ERROR, DesiredState.RUNNING);
    EngineRecord stoppedForShutdown = placed("shutdown", EngineState.STOPPED, DesiredState.RUNNING);
    EngineRecord stopped = placed("stopped", EngineState.STOPPED, DesiredState.STOPPED);
    EngineRecord noGpu = Records.starting("nogpu", "m", EngineKind.LLM);
    reservations.restore(List.of(ready, failed, stoppedForShutdown, stopped, noGpu));
    assertThat(reservations.all())
        .extracting(GpuReservations.Reservation::engineId)
        .containsExactly("ready", "failed", "shutdown");
    assertThat(reservations.of("ready"))
        .hasValue(new GpuReservations.Reservation("ready", List.of(0, 1), 30000));
  }

  @Test
  void reachingStoppedReleases() {
    reservations.reserve("a", "a", twoGpus, Set.of(), request(1, 1000));
    EngineRecord entry = placed("a", EngineState.DRAINING, DesiredState.STOPPED);
    reservations.onTransition(
        entry, new EngineEvent(1, "a", EngineState.READY, EngineState.ERROR, "x", AT));
    assertThat(reservations.of("a")).isPresent();
    reservations.onTransition(
        entry, new EngineEvent(2, "a", EngineState.DRAINING, EngineState.STOPPED, "x", AT));
    assertThat(reservations.of("a")).isEmpty();
  }

  private static EngineRecord placed(String id, EngineState state, DesiredState desired) {
    EngineRecord base =
        Records.starting(id, "m", EngineKind.LLM)
            .withPlacement(Placement.local("127.0.0.1", 41000, List.of(0, 1), 30000), AT);
    return base.withState(state, AT).withDesiredState(desired, AT);
  }
}
