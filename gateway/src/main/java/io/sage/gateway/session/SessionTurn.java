package io.sage.gateway.session;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sage.host.session.MessageStatus;
import io.sage.host.session.SessionMessage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One chat request on a session, as it arrived: the user turns it brings and the seqs reserved for
 * them ({@code firstSeq} onwards) and for the reply (right after them).
 *
 * @param userTurns the new user messages, in request order
 * @param title a title derived from the first user turn, used if the session has none
 */
record SessionTurn(
    String sessionId, List<UserTurn> userTurns, long firstSeq, Instant arrivedAt, String title) {
  SessionTurn {
    Objects.requireNonNull(sessionId, "sessionId");
    userTurns = List.copyOf(userTurns);
    Objects.requireNonNull(arrivedAt, "arrivedAt");
    if (firstSeq < 1) {
      throw new IllegalArgumentException("firstSeq must be positive: " + firstSeq);
    }
  }

  /** A user message to store: its content text, and whether that text is JSON content parts. */
  record UserTurn(String content, boolean json) {
    UserTurn {
      Objects.requireNonNull(content, "content");
    }
  }

  long replySeq() {
    return firstSeq + userTurns.size();
  }

  /**
   * The user turns as messages with {@code status}; {@code failure} (the reason, for a failed or
   * cut reply) goes into each one's metadata.
   */
  List<SessionMessage> userMessages(MessageStatus status, ObjectNode failure) {
    List<SessionMessage> messages = new ArrayList<>();
    for (int i = 0; i < userTurns.size(); i++) {
      UserTurn turn = userTurns.get(i);
      ObjectNode metadata = StoredContent.JSON.createObjectNode();
      if (turn.json()) {
        metadata.put(StoredContent.FORMAT, "json");
      }
      if (failure != null) {
        metadata.setAll(failure);
      }
      messages.add(
          new SessionMessage(
              firstSeq + i,
              "user",
              turn.content(),
              status,
              metadata.isEmpty() ? null : metadata.toString(),
              arrivedAt));
    }
    return messages;
  }
}
