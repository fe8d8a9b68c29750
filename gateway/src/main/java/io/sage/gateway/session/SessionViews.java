package io.sage.gateway.session;

import io.sage.host.session.Session;
import io.sage.host.session.SessionMessage;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The JSON shapes of the session routes. */
final class SessionViews {
  private SessionViews() {}

  static Map<String, Object> session(Session session) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("id", session.id());
    view.put("object", "session");
    view.put("title", session.title());
    view.put("owner_key_id", session.ownerKeyId());
    view.put("created_at", time(session.createdAt()));
    view.put("last_active_at", time(session.lastActiveAt()));
    view.put("message_count", session.messageCount());
    return view;
  }

  static Map<String, Object> list(List<Session> sessions) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("sessions", sessions.stream().map(SessionViews::session).toList());
    view.put("count", sessions.size());
    view.put("total_messages", sessions.stream().mapToLong(Session::messageCount).sum());
    return view;
  }

  static Map<String, Object> detail(Session session, List<SessionMessage> messages) {
    Map<String, Object> view = session(session);
    // the count comes from the listing itself, so both agree while replies are still being stored
    view.put("message_count", messages.size());
    view.put("messages", messages.stream().map(SessionViews::message).toList());
    return view;
  }

  static Map<String, Object> message(SessionMessage message) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("seq", message.seq());
    view.put("role", message.role());
    view.put("content", StoredContent.content(message));
    view.put("timestamp", time(message.createdAt()));
    view.put("status", message.status().wireName());
    view.put("metadata", StoredContent.metadata(message));
    return view;
  }

  private static String time(Instant instant) {
    return instant.toString();
  }
}
