package io.sage.host.models;

import static org.assertj.core.api.Assertions.assertThat;

import io.sage.host.EngineSnapshot;
import io.sage.host.cluster.ModelActivity;
import io.sage.host.engine.EngineState;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The declared models on a shared store (docs/cluster.md), on fake time and a hand-made cluster:
 * only the leader starts and stops, counting every node's engines and the starts on their way; a
 * follower's waiting requests reach the leader through the activity it publishes; idle unload
 * counts the other nodes' last requests.
 */
class SharedModelsTest {
  @TempDir static Path plugins;
  @TempDir Path data;
  ModelsHarness h;
  final FakeReplicas cluster = new FakeReplicas();
  Declarations current = Declarations.NONE;
  Models models;

  @BeforeAll
  static void compilePlugin() throws Exception {
    ModelsHarness.compilePlugin(plugins);
  }

  @BeforeEach
  void setUp() {
    h = new ModelsHarness(plugins, data);
    models =
        new Models(
            h.controlPlane,
            h.modelStore,
            () -> current,
            cluster,
            () -> {
              if (cluster.leads()) {
                models.applyPeriodic(ModelPlanner.plan(current, cluster.engines()), current);
              }
            });
  }

  @AfterEach
  void tearDown() {
    models.close();
    h.close();
  }

  /** Ticks for {@code d} of fake time, running what the ticks hand off. */
  private void run(Duration d) {
    for (long ms = 0; ms < d.toMillis(); ms += Models.TICK.toMillis()) {
      models.tick();
      h.scheduler.runDue();
      h.advance(Models.TICK);
    }
    h.scheduler.runDue();
  }

  @Test
  void aFollowerStartsNothingEvenWhenTheModelHasNoEngine() {
    current = ModelFixtures.declarations(ModelFixtures.model("qwen", 1, 1));
    cluster.leads = false;

    run(Duration.ofSeconds(5));

    assertThat(cluster.started).isEmpty();
    assertThat(cluster.published).isNotEmpty();
  }

  @Test
  void theLeaderCountsEveryNodesEnginesAndTheStartsOnTheirWay() {
    ModelDeclaration qwen = ModelFixtures.model("qwen", 1, 1);
    current = ModelFixtures.declarations(qwen);
    cluster.leads = true;
    EngineSnapshot onB =
        new EngineSnapshot(
            ModelFixtures.engine("eng-00000000000b", qwen, EngineState.READY, 0).record(),
            0,
            "node-b");
    cluster.engines.add(onB);

    run(Duration.ofSeconds(5));
    assertThat(cluster.started).as("node-b's engine is the one replica").isEmpty();

    // node-b gone: its failed engine is left out of the view; one replica is started, once
    cluster.engines.remove(onB);
    run(Duration.ofSeconds(10));
    assertThat(cluster.started).hasSize(1);
    assertThat(cluster.started.get(0)).startsWith("qwen models (below min replicas (0 of 1");
  }

  @Test
  void theLeaderStopsTheSurplusWhereverItRuns() {
    ModelDeclaration qwen = ModelFixtures.model("qwen", 1, 1);
    current = ModelFixtures.declarations(qwen);
    cluster.leads = true;
    cluster.engines.add(
        new EngineSnapshot(
            ModelFixtures.engineAt("eng-00000000000a", qwen, EngineState.READY, 0, 0).record(),
            0,
            "node-a"));
    cluster.engines.add(
        new EngineSnapshot(
            ModelFixtures.engineAt("eng-00000000000b", qwen, EngineState.READY, 0, 1).record(),
            0,
            "node-b"));

    run(Duration.ofSeconds(2));

    assertThat(cluster.stopped).hasSize(1);
    assertThat(cluster.stopped.get(0)).startsWith("eng-00000000000a models: above max replicas");
    assertThat(cluster.started).isEmpty();
  }

  @Test
  void requestsWaitingOnAFollowerAreLaunchedForOnceByTheLeader() {
    ModelDeclaration llama = ModelFixtures.model("llama", 0, 1);
    current = ModelFixtures.declarations(llama);
    cluster.leads = true;
    cluster.elsewhere.add(
        new ModelActivity("node-b", "llama", h.scheduler.now(), 3, 0, h.scheduler.now()));

    run(Duration.ofSeconds(5));

    assertThat(cluster.started).hasSize(1);
    assertThat(cluster.started.get(0)).startsWith("llama models (requested, none running)");
  }

  @Test
  void aFollowersWaitingRequestLaunchesNothingThereAndIsPublishedAtOnce() {
    ModelDeclaration llama = ModelFixtures.model("llama", 0, 1);
    current = ModelFixtures.declarations(llama);
    cluster.leads = false;

    CompletableFuture<Void> ready = models.awaitReady(llama);
    h.scheduler.runDue();

    assertThat(ready).isNotDone();
    assertThat(cluster.started).isEmpty();
    assertThat(cluster.published).isNotEmpty();
    ModelActivity row = cluster.published.get(cluster.published.size() - 1).get(0);
    assertThat(row.model()).isEqualTo("llama");
    assertThat(row.waiting()).isEqualTo(1);

    // another node's engine becomes READY: the tick releases the request here
    cluster.engines.add(
        new EngineSnapshot(
            ModelFixtures.engine("eng-00000000000b", llama, EngineState.READY, 0).record(),
            0,
            "node-b"));
    run(Duration.ofSeconds(1));
    assertThat(ready).isCompleted();
  }

  @Test
  void idleUnloadWaitsForTheLastRequestOfAnyNode() {
    ModelDeclaration llama =
        ModelFixtures.withIdle(ModelFixtures.model("llama", 0, 1), Duration.ofSeconds(30));
    current = ModelFixtures.declarations(llama);
    cluster.leads = true;
    cluster.engines.add(
        new EngineSnapshot(
            ModelFixtures.engine("eng-00000000000a", llama, EngineState.READY, 0).record(),
            0,
            "node-a"));

    // node-b keeps sending requests: never idle, though this node got none
    for (int i = 0; i < 8; i++) {
      cluster.elsewhere.clear();
      Instant now = h.scheduler.now();
      cluster.elsewhere.add(new ModelActivity("node-b", "llama", now, 0, 0, now));
      run(Duration.ofSeconds(10));
    }
    assertThat(cluster.stopped).isEmpty();

    // node-b stops sending: idle once the timeout has passed since its last request
    run(Duration.ofSeconds(35));
    assertThat(cluster.stopped).hasSize(1);
    assertThat(cluster.stopped.get(0)).contains("idle for 30s");
  }
}
