package io.sage.gateway.cli;

import java.io.PrintWriter;
import java.util.Objects;

/**
 * One live status line. On a terminal it is redrawn in place ({@code \r}, padded over the previous
 * text, cut to the terminal width so it never wraps); piped, a plain line is printed only when what
 * it says changes, so logs of scripts stay short.
 */
final class ProgressLine {
  private final PrintWriter out;
  private final boolean inPlace;
  private final int width;
  private String lastKey;
  private int lastLength;
  private boolean open;

  ProgressLine(PrintWriter out, boolean inPlace, int width) {
    this.out = Objects.requireNonNull(out, "out");
    this.inPlace = inPlace;
    this.width = width;
  }

  /**
   * Shows {@code text}; {@code changeKey} is what counts as a change for piped output (the text
   * without the ticking clock).
   */
  synchronized void update(String text, String changeKey) {
    String line = text.replace('\r', ' ').replace('\n', ' ');
    if (inPlace) {
      if (Ansi.visibleLength(line) > width - 1) {
        line = Ansi.truncate(line, Math.max(0, width - 4)) + "...";
      }
      int length = Ansi.visibleLength(line);
      out.print("\r" + line + " ".repeat(Math.max(0, lastLength - length)));
      out.flush();
      lastLength = length;
      open = true;
      return;
    }
    if (!changeKey.equals(lastKey)) {
      out.println(line);
      out.flush();
      lastKey = changeKey;
    }
  }

  /** Ends the in-place line so that what follows starts on a fresh line. */
  synchronized void finish() {
    if (open) {
      out.println();
      out.flush();
      open = false;
      lastLength = 0;
    }
  }
}
