package io.sage.gateway.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SessionSequencerTest {

  @Test
  void seqsContinueAfterTheStoredOnesAndTheStoreIsReadOnce() {
    SessionSequencer sequencer = new SessionSequencer();
    AtomicInteger reads = new AtomicInteger();

    assertThat(
            sequencer.reserve(
                "s",
                2,
                () -> {
                  reads.incrementAndGet();
                  return 7;
                }))
        .isEqualTo(8);
    assertThat(
            sequencer.reserve(
                "s",
                3,
                () -> {
                  reads.incrementAndGet();
                  return 7;
                }))
        .isEqualTo(10);
    assertThat(sequencer.reserve("other", 1, () -> 0)).isEqualTo(1);
    assertThat(reads).hasValue(1);
  }

  @Test
  void forgettingReadsTheStoreAgain() {
    SessionSequencer sequencer = new SessionSequencer();
    sequencer.reserve("s", 5, () -> 0);

    sequencer.forget("s");

    assertThat(sequencer.reserve("s", 1, () -> 0)).isEqualTo(1);
  }

  @Test
  void concurrentReservationsNeverOverlap() throws Exception {
    SessionSequencer sequencer = new SessionSequencer();
    ConcurrentLinkedQueue<Long> firsts = new ConcurrentLinkedQueue<>();
    List<Thread> threads = new java.util.ArrayList<>();
    for (int t = 0; t < 8; t++) {
      Thread thread =
          new Thread(
              () -> {
                for (int i = 0; i < 500; i++) {
                  firsts.add(sequencer.reserve("s", 2, () -> 0));
                }
              });
      threads.add(thread);
      thread.start();
    }
    for (Thread thread : threads) {
      thread.join();
    }
    assertThat(firsts).hasSize(4000).doesNotHaveDuplicates().allMatch(first -> first % 2 == 1);
  }
}
