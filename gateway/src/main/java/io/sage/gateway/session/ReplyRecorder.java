package io.sage.gateway.session;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sage.gateway.openai.ProxyCall;
import io.sage.gateway.openai.ProxyListener;
import io.sage.gateway.openai.ProxyOutcome;
import io.sage.host.session.MessageStatus;
import io.sage.host.session.SessionMessage;
import io.sage.host.store.SessionStore;
import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores one session turn when its proxied request ends: the user turns and the assembled reply
 * when the whole response reached the client with status 200; otherwise the user turns alone,
 * marked failed or cut with the reason. The database write runs on {@code writer}, never on the I/O
 * thread that ends the response.
 */
final class ReplyRecorder implements ProxyListener {
  private static final Logger LOG = LoggerFactory.getLogger(ReplyRecorder.class);
  private final SessionTurn turn;
  private final SessionStore store;
  private final Executor writer;
  private final ReplyAssembler reply = new ReplyAssembler();

  ReplyRecorder(SessionTurn turn, SessionStore store, Executor writer) {
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
  public void onEnd(ProxyCall call, ProxyOutcome outcome) {
    List<SessionMessage> messages = messages(call, outcome, Instant.now());
    writer.execute(() -> store(messages));
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
