package io.sage.host.session;

import java.util.Locale;

/** Whether a stored message is part of the conversation replayed to the engine. */
public enum MessageStatus {
  /** A user turn that got its reply, or the reply itself: replayed as history. */
  OK,
  /**
   * A user turn whose request failed before a complete reply: kept for the record, not replayed.
   */
  FAILED,
  /** A user turn whose reply was cut mid-way (client gone, engine died): not replayed. */
  CUT;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The status named {@code wireName} ({@code ok}, {@code failed}, {@code cut}). */
  public static MessageStatus of(String wireName) {
    return valueOf(wireName.toUpperCase(Locale.ROOT));
  }
}
