package io.sage.host.management;

import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Host-level checks of a launch request; runtimes add their own. Every problem is collected, so the
 * operator fixes them all in one go.
 */
final class SpecValidator {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_./:@+\\-]{1,256}");
  private static final Pattern OPTION_KEY = Pattern.compile("[a-z][a-z0-9_.\\-]{0,63}");
  private final List<String> problems = new ArrayList<>();

  void modelName(String field, String value, boolean required) {
    if (value == null || value.isEmpty()) {
      if (required) {
        problems.add(field + " is required");
      }
      return;
    }
    if (value.startsWith("-")) {
      problems.add(field + " must not start with '-'");
    } else if (!NAME.matcher(value).matches()) {
      problems.add(
          field
              + " must be 1-256 characters of letters, digits and ._/:@+- (got '"
              + printable(value)
              + "')");
    }
  }

  void label(String value) {
    if (value != null && (value.length() > 128 || hasControl(value))) {
      problems.add("label must be at most 128 printable characters");
    }
  }

  void options(Map<String, String> options) {
    if (options == null) {
      return;
    }
    if (options.size() > 64) {
      problems.add("options may hold at most 64 entries");
    }
    for (Map.Entry<String, String> option : options.entrySet()) {
      if (!OPTION_KEY.matcher(option.getKey()).matches()) {
        problems.add(
            "option name '"
                + printable(option.getKey())
                + "' must be lower case letters, digits and _.-");
      }
      String value = option.getValue();
      if (value == null || value.length() > 4096 || hasControl(value)) {
        problems.add(
            "option "
                + printable(option.getKey())
                + " must be a printable value of at most 4096 characters");
      }
    }
  }

  void extraArgs(List<String> args) {
    if (args == null) {
      return;
    }
    if (args.size() > 64) {
      problems.add("extra_args may hold at most 64 entries");
    }
    for (String arg : args) {
      if (arg == null || arg.length() > 1024 || hasControl(arg)) {
        problems.add("extra_args entries must be printable strings of at most 1024 characters");
      }
    }
  }

  void check(boolean ok, String problem) {
    if (!ok) {
      problems.add(problem);
    }
  }

  void addAll(List<String> more) {
    problems.addAll(more);
  }

  /** Throws one 400 listing every problem found, if any. */
  void throwIfInvalid() {
    if (!problems.isEmpty()) {
      throw new SageException(
          ErrorCode.INVALID_REQUEST, "invalid engine request: " + String.join("; ", problems));
    }
  }

  static boolean hasControl(String value) {
    for (int i = 0; i < value.length(); i++) {
      if (Character.isISOControl(value.charAt(i))) {
        return true;
      }
    }
    return false;
  }

  private static String printable(String value) {
    String cut = value.length() > 64 ? value.substring(0, 64) + "…" : value;
    StringBuilder out = new StringBuilder();
    for (char c : cut.toCharArray()) {
      out.append(Character.isISOControl(c) ? '?' : c);
    }
    return out.toString();
  }
}
