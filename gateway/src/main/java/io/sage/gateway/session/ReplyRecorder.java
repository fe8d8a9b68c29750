package io.sage.gateway.session;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sage.db.session.JdbcSessionStore;
import io.sage.db.session.MessageStatus;
import io.sage.db.session.SessionMessage;
import io.sage.gateway.openai.ProxyCall;
import io.sage.gateway.openai.ProxyListener;
import io.sage.gateway.openai.ProxyOutcome;
import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores one session turn: the user turns and the assembled reply once the engine's 200 answer has
 * ended, before its last chunk goes to the client ({@link #beforeComplete}); otherwise, when the
 * request ends, the user turns alone, marked failed or cut with the reason. The database write runs
 * on {@code writer}, never on the I/O thread that relays the response.
 */
final class ReplyRecorder implements ProxyListener {
  private static final Logger LOG = LoggerFactory.getLogger(ReplyRecorder.class);
  private final SessionTurn turn;
  private final JdbcSessionStore store;
  private final Executor writer;
  private final ReplyAssembler reply = new ReplyAssembler();
  private final AtomicBoolean stored = new AtomicBoolean();

  ReplyRecorder(SessionTurn turn, JdbcSessionStore store, Executor writer) {
    this.turn = turn;
    this.store = store;
    this.writer = writer;
  }

  @Override
  public boolean wantsBody(ProxyCall call) {
    return true;
  }

  @Override
  public void onBody(ProxyCall call, ByteBuffer chunk) {
    reply.accept(chunk);
  }

  @Override
  public boolean holdsCompletion(ProxyCall call) {
    return true;
  }

  /**
   * The engine's answer ended: a 200 turn is stored now, before the relay lets the last chunk out,
   * so a turn the client saw complete is never lost (a crash before this point loses a turn the
   * client never saw acknowledged). Other statuses are recorded by {@link #onEnd} as before.
   */
  @Override
  public CompletionStage<Void> beforeComplete(ProxyCall call, String engineId, int status) {
    if (status != 200) {
      return CompletableFuture.completedFuture(null);
    }
    List<SessionMessage> messages =
        messages(call, new ProxyOutcome(status, engineId, true, null), Instant.now());
    stored.set(true);
    return CompletableFuture.runAsync(() -> storeOrFail(messages), writer);
  }

  @Override
  public void onEnd(ProxyCall call, ProxyOutcome outcome) {
    if (stored.get()) {
      return;
    }
    List<SessionMessage> messages = messages(call, outcome, Instant.now());
    writer.execute(() -> store(messages));
  }

  private void storeOrFail(List<SessionMessage> messages) {
    try {
      store.append(turn.sessionId(), messages, Instant.now(), turn.title());
    } catch (SageException e) {
      if (e.code() != ErrorCode.NOT_FOUND) {
        throw e;
      }
      LOG.info(
          "session {} was deleted while a request on it ran; its turn is not stored",
          turn.sessionId());
    }
  }

  List<SessionMessage> messages(ProxyCall call, ProxyOutcome outcome, Instant now) {
    if (outcome.status() != 200) {
      String reason =
          outcome.error() != null ? outcome.error() : "engine answered " + outcome.status();
      return turn.userMessages(MessageStatus.FAILED, failure("failed", reason, call, outcome));
    }
    if (!outcome.completed()) {
      String reason = outcome.error() != null ? outcome.error() : "the response was cut";
      return turn.userMessages(MessageStatus.CUT, failure("cut", reason, call, outcome));
    }
    reply.finish();
    if (reply.problem() != null) {
      return turn.userMessages(
          MessageStatus.FAILED, failure("failed", reply.problem(), call, outcome));
    }
    List<SessionMessage> messages = new ArrayList<>(turn.userMessages(MessageStatus.OK, null));
    ObjectNode metadata =
        StoredContent.JSON
            .createObjectNode()
            .put("engine_id", outcome.engineId())
            .put("request_id", call.requestId())
            .put("model", call.model())
            .put("stream", call.stream());
    if (reply.finishReason() != null) {
      metadata.put("finish_reason", reply.finishReason());
    }
    if (reply.toolCalls() != null) {
      metadata.set("tool_calls", reply.toolCalls());
    }
    messages.add(
        new SessionMessage(
            turn.replySeq(),
            "assistant",
            reply.text(),
            MessageStatus.OK,
            metadata.toString(),
            now));
    return messages;
  }

  private static ObjectNode failure(
      String status, String reason, ProxyCall call, ProxyOutcome outcome) {
    ObjectNode failure =
        StoredContent.JSON
            .createObjectNode()
            .put("status", status)
            .put("reason", reason)
            .put("http_status", outcome.status())
            .put("request_id", call.requestId());
    if (outcome.engineId() != null) {
      failure.put("engine_id", outcome.engineId());
    }
    return failure;
  }

  private void store(List<SessionMessage> messages) {
    if (messages.isEmpty()) {
      return;
    }
    try {
      store.append(turn.sessionId(), messages, Instant.now(), turn.title());
    } catch (SageException e) {
      if (e.code() == ErrorCode.NOT_FOUND) {
        LOG.info(
            "session {} was deleted while a request on it ran; its turn is not stored",
            turn.sessionId());
      } else {
        LOG.warn("storing a turn of session {} failed: {}", turn.sessionId(), e.getMessage());
      }
    } catch (RuntimeException e) {
      LOG.warn("storing a turn of session {} failed", turn.sessionId(), e);
    }
  }
}
