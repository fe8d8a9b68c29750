package io.sage.db.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micronaut.context.ApplicationContext;
import io.sage.db.TestDatabase;
import io.sage.host.session.MessageStatus;
import io.sage.host.session.Session;
import io.sage.host.session.SessionMessage;
import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sessions on each real database ({@link JdbcSessionStoreTest}, {@link
 * JdbcSessionStorePostgresTest}).
 */
abstract class JdbcSessionStoreContract {
  @TempDir Path dataDir;
  private TestDatabase database;
  private Instant t0;
  private ApplicationContext context;
  private JdbcSessionStore store;

  abstract TestDatabase database(Path dataDir);

  @BeforeEach
  void start() {
    database = database(dataDir);
    t0 = database.stored(Instant.parse("2026-01-02T03:04:05.123456789Z"));
    context = database.start();
    store = context.getBean(JdbcSessionStore.class);
  }

  @AfterEach
  void stop() {
    context.close();
  }

  private SessionMessage user(long seq, String content) {
    return new SessionMessage(seq, "user", content, MessageStatus.OK, null, t0.plusSeconds(seq));
  }

  private SessionMessage assistant(long seq, String content) {
    return new SessionMessage(
        seq, "assistant", content, MessageStatus.OK, "{\"engine_id\":\"e1\"}", t0.plusSeconds(seq));
  }

  @Test
  void aNewSessionIsEmptyAndFound() {
    Session created = store.create("sess-a", null, "anonymous", t0);

    assertThat(store.find("sess-a")).contains(created);
    assertThat(created.messageCount()).isZero();
    assertThat(created.title()).isNull();
    assertThat(store.find("sess-missing")).isEmpty();
  }

  @Test
  void aDuplicateIdIsRefused() {
    store.create("sess-a", "one", "anonymous", t0);

    assertThatThrownBy(() -> store.create("sess-a", "two", "anonymous", t0))
        .isInstanceOf(SageException.class)
        .satisfies(e -> assertThat(((SageException) e).code()).isEqualTo(ErrorCode.ILLEGAL_STATE));
  }

  @Test
  void messagesComeBackInSeqOrderWhateverTheOrderTheyWereStoredIn() {
    store.create("sess-a", null, "anonymous", t0);

    store.append(
        "sess-a", List.of(user(3, "second question"), assistant(4, "second answer")), t0, null);
    store.append(
        "sess-a", List.of(user(1, "first question"), assistant(2, "first answer")), t0, null);

    assertThat(store.messages("sess-a"))
        .extracting(SessionMessage::content)
        .containsExactly("first question", "first answer", "second question", "second answer");
    assertThat(store.messages("sess-a").get(1)).isEqualTo(assistant(2, "first answer"));
    assertThat(store.find("sess-a").orElseThrow().messageCount()).isEqualTo(4);
    assertThat(store.maxSeq("sess-a")).isEqualTo(4);
  }

  @Test
  void aSeqIsUniqueWithinASession() {
    store.create("sess-a", null, "anonymous", t0);
    store.append("sess-a", List.of(user(1, "q")), t0, null);

    assertThatThrownBy(() -> store.append("sess-a", List.of(user(1, "again")), t0, null))
        .isInstanceOf(RuntimeException.class);
    assertThat(store.messages("sess-a")).hasSize(1);
  }

  @Test
  void historyIsTheLastOkMessagesOldestFirst() {
    store.create("sess-a", null, "anonymous", t0);
    store.append("sess-a", List.of(user(1, "q1"), assistant(2, "a1")), t0, null);
    store.append(
        "sess-a",
        List.of(
            new SessionMessage(
                3, "user", "lost", MessageStatus.FAILED, "{\"status\":\"failed\"}", t0)),
        t0,
        null);
    store.append("sess-a", List.of(user(4, "q2"), assistant(5, "a2")), t0, null);

    assertThat(store.history("sess-a", 3))
        .extracting(SessionMessage::content)
        .containsExactly("a1", "q2", "a2");
    assertThat(store.history("sess-a", 50))
        .extracting(SessionMessage::content)
        .containsExactly("q1", "a1", "q2", "a2");
    assertThat(store.history("sess-a", 0)).isEmpty();
    assertThat(store.messages("sess-a").get(2).status()).isEqualTo(MessageStatus.FAILED);
  }

  @Test
  void appendSetsTheTitleOnlyWhenThereIsNoneAndMarksActivity() {
    store.create("sess-a", null, "anonymous", t0);
    store.append("sess-a", List.of(user(1, "q1")), t0.plusSeconds(60), "derived title");
    store.append("sess-a", List.of(user(2, "q2")), t0.plusSeconds(120), "other title");

    Session session = store.find("sess-a").orElseThrow();
    assertThat(session.title()).isEqualTo("derived title");
    assertThat(session.lastActiveAt()).isEqualTo(t0.plusSeconds(120));
    assertThat(session.createdAt()).isEqualTo(t0);
  }

  @Test
  void listIsNewestActivityFirstAndFiltersByOwner() {
    store.create("sess-old", null, "key-1", t0);
    store.create("sess-new", null, "key-2", t0.plusSeconds(10));
    store.append("sess-old", List.of(user(1, "q")), t0.plusSeconds(20), null);

    assertThat(store.list(null)).extracting(Session::id).containsExactly("sess-old", "sess-new");
    assertThat(store.list(null).get(0).messageCount()).isEqualTo(1);
    assertThat(store.list("key-2")).extracting(Session::id).containsExactly("sess-new");
    assertThat(store.list("key-3")).isEmpty();
  }

  @Test
  void renameClearAndDelete() {
    store.create("sess-a", "before", "anonymous", t0);
    store.append("sess-a", List.of(user(1, "q"), assistant(2, "a")), t0, null);

    store.rename("sess-a", "after", t0.plusSeconds(5));
    assertThat(store.find("sess-a").orElseThrow().title()).isEqualTo("after");

    assertThat(store.clear("sess-a", t0.plusSeconds(6))).isEqualTo(2);
    assertThat(store.messages("sess-a")).isEmpty();
    assertThat(store.find("sess-a").orElseThrow().title()).isEqualTo("after");

    store.append("sess-a", List.of(user(3, "q again")), t0, null);
    store.delete("sess-a");
    assertThat(store.find("sess-a")).isEmpty();
    assertThat(store.messages("sess-a")).isEmpty();
  }

  @Test
  void everyWriteOnAMissingSessionIsNotFound() {
    for (Runnable write :
        List.<Runnable>of(
            () -> store.append("sess-x", List.of(user(1, "q")), t0, null),
            () -> store.rename("sess-x", "t", t0),
            () -> store.clear("sess-x", t0),
            () -> store.delete("sess-x"))) {
      assertThatThrownBy(write::run)
          .isInstanceOf(SageException.class)
          .satisfies(e -> assertThat(((SageException) e).code()).isEqualTo(ErrorCode.NOT_FOUND))
          .hasMessageContaining("sess-x");
    }
  }

  @Test
  void deleteIdleRemovesOnlySessionsInactiveBeforeTheCutoff() {
    store.create("sess-idle", null, "key-1", t0);
    store.create("sess-idle-other", null, "key-2", t0);
    store.create("sess-busy", null, "key-1", t0);
    store.append("sess-idle", List.of(user(1, "q")), t0, null);
    store.append("sess-busy", List.of(user(1, "q")), t0.plusSeconds(3600), null);

    assertThat(store.deleteIdle(t0.plusSeconds(60), "key-1")).containsExactly("sess-idle");
    assertThat(store.list(null))
        .extracting(Session::id)
        .containsExactlyInAnyOrder("sess-busy", "sess-idle-other");
    assertThat(store.deleteIdle(t0.plusSeconds(60), null)).containsExactly("sess-idle-other");
  }

  @Test
  void sessionsAndMessagesSurviveAReopen() {
    store.create("sess-a", "kept", "key-1", t0);
    store.append("sess-a", List.of(user(1, "q"), assistant(2, "a")), t0, null);
    context.close();

    context = database.start();
    store = context.getBean(JdbcSessionStore.class);

    assertThat(store.find("sess-a").orElseThrow().title()).isEqualTo("kept");
    assertThat(store.messages("sess-a")).containsExactly(user(1, "q"), assistant(2, "a"));
  }

  @Test
  void longContentRoundTrips() {
    store.create("sess-a", null, "anonymous", t0);
    String big = "x".repeat(200_000) + " \u00e9\u4e2d\ud83d\ude00";

    store.append("sess-a", List.of(user(1, big)), t0, null);

    assertThat(store.messages("sess-a").get(0).content()).isEqualTo(big);
  }
}
