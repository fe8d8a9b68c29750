package io.sage.client.chat;

import java.util.Objects;

/** One turn of a conversation, sent as {@code {"role", "content"}}. */
public record ChatMessage(String role, String content) {

  public ChatMessage {
    Objects.requireNonNull(role, "role");
    if (role.isBlank()) {
      throw new IllegalArgumentException("chat message role must not be blank");
    }
    Objects.requireNonNull(content, "content of a " + role + " message");
  }

  public static ChatMessage system(String content) {
    return new ChatMessage("system", content);
  }

  public static ChatMessage user(String content) {
    return new ChatMessage("user", content);
  }

  public static ChatMessage assistant(String content) {
    return new ChatMessage("assistant", content);
  }
}
