package io.sage.gateway.session;

import io.sage.spi.SageException;

/** Title rules: 1 to 200 characters when given; derived from the first user message otherwise. */
final class SessionTitles {
  static final int MAX_LENGTH = 200;

  /** Derived titles are kept short: they label a list entry. */
  static final int DERIVED_LENGTH = 60;

  private SessionTitles() {}

  /** The title, stripped; 400 when blank or too long. */
  static String validate(String title) {
    if (title == null) {
      throw SageException.invalid("title", "'title' is required");
    }
    String stripped = title.strip();
    if (stripped.isEmpty() || stripped.length() > MAX_LENGTH) {
      throw SageException.invalid(
          "title",
          "'title' must be 1 to "
              + MAX_LENGTH
              + " characters (not blank); got "
              + stripped.length());
    }
    return stripped;
  }

  /** A title from a user message: whitespace collapsed, cut at a word when long; null if empty. */
  static String derive(String text) {
    if (text == null) {
      return null;
    }
    String collapsed = text.strip().replaceAll("\\s+", " ");
    if (collapsed.isEmpty()) {
      return null;
    }
    if (collapsed.length() <= DERIVED_LENGTH) {
      return collapsed;
    }
    int cut = DERIVED_LENGTH - 1;
    if (Character.isHighSurrogate(collapsed.charAt(cut - 1))) {
      cut--;
    }
    int space = collapsed.lastIndexOf(' ', cut);
    if (space > DERIVED_LENGTH / 2) {
      cut = space;
    }
    return collapsed.substring(0, cut).strip() + "\u2026";
  }
}
