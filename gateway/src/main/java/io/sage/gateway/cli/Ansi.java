package io.sage.gateway.cli;

import java.util.regex.Pattern;

/** ANSI colouring that turns itself off when the output is not a colour terminal. */
final class Ansi {
  static final Ansi PLAIN = new Ansi(false);
  private static final Pattern ESCAPES = Pattern.compile("\u001B\\[[0-9;]*m");
  private static final String RESET = "\u001B[0m";

  private final boolean enabled;

  Ansi(boolean enabled) {
    this.enabled = enabled;
  }

  boolean enabled() {
    return enabled;
  }

  /**
   * An engine state coloured by what it means for traffic: green serves, yellow moves, red failed.
   */
  String state(String state) {
    if (state == null) {
      return "-";
    }
    return switch (state) {
      case "READY" -> paint("32", state);
      case "STARTING", "DRAINING" -> paint("33", state);
      case "ERROR" -> paint("31;1", state);
      case "STOPPED" -> paint("2", state);
      default -> state;
    };
  }

  String bold(String text) {
    return paint("1", text);
  }

  String dim(String text) {
    return paint("2", text);
  }

  String red(String text) {
    return paint("31", text);
  }

  String green(String text) {
    return paint("32", text);
  }

  private String paint(String code, String text) {
    return enabled ? "\u001B[" + code + "m" + text + RESET : text;
  }

  /**
   * The first {@code columns} visible characters of {@code text}, never cutting inside an escape
   * sequence; when anything was cut after a colour started, a reset ends the result so the colour
   * does not leak into what follows.
   */
  static String truncate(String text, int columns) {
    StringBuilder out = new StringBuilder(text.length());
    java.util.regex.Matcher escape = ESCAPES.matcher(text);
    int visible = 0;
    boolean coloured = false;
    int i = 0;
    while (i < text.length()) {
      if (text.charAt(i) == '\u001B' && escape.find(i) && escape.start() == i) {
        out.append(escape.group());
        coloured = true;
        i = escape.end();
        continue;
      }
      if (visible == columns) {
        return coloured ? out.append(RESET).toString() : out.toString();
      }
      out.append(text.charAt(i));
      visible++;
      i++;
    }
    return out.toString();
  }

  /** Length as shown on screen: escape sequences take no columns. */
  static int visibleLength(String text) {
    return ESCAPES.matcher(text).replaceAll("").length();
  }
}
