package io.sage.gateway.management;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

class ChangeLogTest {
  private final ChangeLog log = new ChangeLog(3);

  private static Map<String, Object> data(String engine) {
    return Map.of("engine_id", engine);
  }

  @Test
  void aClientWithoutAnIdStartsWithASnapshotThenGetsEveryLaterChange() {
    log.publish("engine.added", data("a"));
    List<ChangeLog.Change> seen = new CopyOnWriteArrayList<>();
    Disposable following =
        log.follow(null, () -> Map.of("engines", List.of("a"))).subscribe(seen::add);
    log.publish("engine.transition", data("a"));
    following.dispose();
    log.publish("engine.removed", data("a"));

    assertThat(seen)
        .extracting(ChangeLog.Change::type)
        .containsExactly("snapshot", "engine.transition");
    assertThat(seen.get(0).seq()).isEqualTo(1);
    assertThat(seen.get(1).seq()).isEqualTo(2);
  }

  @Test
  void aReconnectWithTheLastIdGetsExactlyWhatItMissed() {
    log.publish("engine.added", data("a"));
    String lastSeen = log.lastId();
    log.publish("engine.transition", data("a"));
    log.publish("engine.added", data("b"));

    List<ChangeLog.Change> seen =
        log.follow(lastSeen, () -> Map.of("snapshot", true))
            .take(Duration.ofMillis(200))
            .collectList()
            .block();

    assertThat(seen).extracting(ChangeLog.Change::seq).containsExactly(2L, 3L);
    assertThat(log.after(log.lastId())).isEmpty();
  }

  @Test
  void idsTooOldFromAnotherRunOrMalformedStartOverWithASnapshot() {
    for (int i = 0; i < 5; i++) {
      log.publish("engine.transition", data("a"));
    }
    // 3 kept: 3, 4 and 5; a client that saw 2 misses nothing kept, one that saw 1 missed 2
    assertThat(log.after(log.id(2))).extracting(ChangeLog.Change::seq).containsExactly(3L, 4L, 5L);
    assertThat(log.after(log.id(1))).isNull();
    assertThat(log.after(log.id(6))).as("from the future").isNull();
    assertThat(log.after(new ChangeLog(3).id(5))).as("another run").isNull();
    assertThat(log.after("garbage")).isNull();
    assertThat(log.after(null)).isNull();
    assertThat(log.all()).hasSize(3);

    List<ChangeLog.Change> seen =
        log.follow(log.id(1), () -> Map.of("engines", List.of()))
            .take(Duration.ofMillis(200))
            .collectList()
            .block();
    assertThat(seen).extracting(ChangeLog.Change::type).containsExactly("snapshot");
    assertThat(seen.get(0).seq()).isEqualTo(5);
  }
}
