package io.sage.gateway.cli;

import java.util.List;

/**
 * Follows an engine log by polling its tail: the gateway serves {@code logs?tail=N} only, so each
 * poll returns a window, and the lines new since the previous window are those after the longest
 * overlap between the old window's end and the new window's start.
 */
final class LogFollow {
  private LogFollow() {}

  static List<String> newLines(List<String> previous, List<String> next) {
    for (int shift = 0; shift < previous.size(); shift++) {
      int overlap = previous.size() - shift;
      if (overlap <= next.size()
          && previous.subList(shift, previous.size()).equals(next.subList(0, overlap))) {
        return next.subList(overlap, next.size());
      }
    }
    // no overlap: the log rotated or grew by more than a window; show the whole window
    return next;
  }
}
