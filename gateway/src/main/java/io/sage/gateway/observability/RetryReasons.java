package io.sage.gateway.observability;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Turns the proxy's retry sentences into a few label values, so the label stays bounded. */
final class RetryReasons {
  private static final Pattern ANSWERED = Pattern.compile("answered (50[234])");

  private RetryReasons() {}

  /**
   * {@code status_502|503|504}, {@code connection_refused}, {@code timeout} or {@code send_failed}.
   */
  static String classify(String reason) {
    if (reason == null) {
      return "send_failed";
    }
    Matcher answered = ANSWERED.matcher(reason);
    if (answered.find()) {
      return "status_" + answered.group(1);
    }
    String lower = reason.toLowerCase(Locale.ROOT);
    if (lower.contains("connection refused")) {
      return "connection_refused";
    }
    if (lower.contains("timed out") || lower.contains("timeout")) {
      return "timeout";
    }
    return "send_failed";
  }
}
