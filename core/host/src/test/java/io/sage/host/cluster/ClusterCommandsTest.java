package io.sage.host.cluster;

import static io.sage.host.cluster.ClusterFixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sage.host.fake.ManualScheduler;
import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class ClusterCommandsTest {
  private static final Duration POLL = Duration.ofMillis(500);
  private final ManualScheduler scheduler = new ManualScheduler(T0);
  private final InMemoryClusterStore store = new InMemoryClusterStore();
  private final List<EngineCommand> executed = new ArrayList<>();
  private CompletableFuture<?> outcome = CompletableFuture.completedFuture(null);
  private final ClusterCommands owner =
      new ClusterCommands(
          store,
          scheduler,
          "a",
          POLL,
          command -> {
            executed.add(command);
            return outcome;
          });
  private final ClusterCommands caller =
      new ClusterCommands(
          store,
          scheduler,
          "c",
          POLL,
          command ->
              CompletableFuture.failedFuture(new AssertionError("node c runs nothing here")));

  private EngineCommand stopFor(String node) {
    return caller.submit(
        EngineCommand.pending(
            node,
            "eng-0123456789ab",
            CommandAction.STOP,
            CommandArguments.stop(true, Duration.ofSeconds(30)),
            "admin via node c",
            scheduler.now()));
  }

  @Test
  void theOwningNodeCarriesItsCommandOutWithinAPollAndTheCallerSeesItDone() {
    owner.start();
    caller.start();
    EngineCommand stop = stopFor("a");
    CompletableFuture<EngineCommand> done = caller.when(stop.id(), CommandState::isFinished);

    scheduler.advance(POLL.plus(ClusterCommands.WAIT_POLL));

    assertThat(executed).extracting(EngineCommand::id).containsExactly(stop.id());
    assertThat(CommandArguments.stop(executed.get(0).arguments()))
        .isEqualTo(new CommandArguments.Stop(true, Duration.ofSeconds(30)));
    assertThat(done).isCompleted();
    assertThat(done.join().state()).isEqualTo(CommandState.DONE);
  }

  @Test
  void aStopStaysRunningUntilTheEngineIsStopped() {
    CompletableFuture<Void> stopped = new CompletableFuture<>();
    outcome = stopped;
    owner.start();
    EngineCommand stop = stopFor("a");

    scheduler.advance(POLL.multipliedBy(3));
    assertThat(store.command(stop.id()).orElseThrow().state()).isEqualTo(CommandState.RUNNING);

    stopped.complete(null);
    assertThat(store.command(stop.id()).orElseThrow().state()).isEqualTo(CommandState.DONE);
    assertThat(executed).hasSize(1);
  }

  @Test
  void anotherNodesCommandsAreLeftAlone() {
    owner.start();
    EngineCommand forB = stopFor("b");

    scheduler.advance(POLL.multipliedBy(3));

    assertThat(executed).isEmpty();
    assertThat(store.command(forB.id()).orElseThrow().state()).isEqualTo(CommandState.PENDING);
  }

  @Test
  void aRefusalComesBackWithItsCodeAndMessage() {
    outcome =
        CompletableFuture.failedFuture(
            new SageException(
                ErrorCode.ILLEGAL_STATE, "cannot restart engine eng-1: it is READY", "state"));
    owner.start();
    EngineCommand stop = stopFor("a");

    scheduler.advance(POLL);

    EngineCommand failed = store.command(stop.id()).orElseThrow();
    assertThat(failed.state()).isEqualTo(CommandState.FAILED);
    assertThatThrownBy(() -> ClusterCommands.requireSucceeded(failed))
        .isInstanceOfSatisfying(
            SageException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.ILLEGAL_STATE);
              assertThat(e.param()).isEqualTo("state");
            })
        .hasMessage("cannot restart engine eng-1: it is READY");
  }

  @Test
  void anExecutorThatThrowsFailsTheCommandToo() {
    ClusterCommands throwing =
        new ClusterCommands(
            store,
            scheduler,
            "a",
            POLL,
            command -> {
              throw new SageException(ErrorCode.NOT_FOUND, "engine eng-1 is not registered");
            });
    throwing.start();
    EngineCommand stop = stopFor("a");

    scheduler.advance(POLL);

    EngineCommand failed = store.command(stop.id()).orElseThrow();
    assertThat(failed.error().code()).isEqualTo("NOT_FOUND");
  }

  @Test
  void whatARestartedNodeLeftRunningFailsSayingSo() {
    EngineCommand stop = stopFor("a");
    store.advance(stop.id(), CommandState.PENDING, CommandState.RUNNING, null, T0);

    owner.start();

    EngineCommand left = store.command(stop.id()).orElseThrow();
    assertThat(left.state()).isEqualTo(CommandState.FAILED);
    assertThat(left.error().message()).contains("node a restarted while it carried the STOP");
    scheduler.advance(POLL);
    assertThat(executed).isEmpty();
  }

  @Test
  void aWakeReadsTheCommandsAtOnce() {
    owner.start();
    stopFor("a");

    owner.wake();
    scheduler.runDue();

    assertThat(executed).hasSize(1);
  }

  @Test
  void anUnreachableStoreIsRetriedAtTheNextPoll() {
    owner.start();
    EngineCommand stop = stopFor("a");
    store.down = true;
    scheduler.advance(POLL);
    store.down = false;

    scheduler.advance(POLL);

    assertThat(store.command(stop.id()).orElseThrow().state()).isEqualTo(CommandState.DONE);
  }
}
