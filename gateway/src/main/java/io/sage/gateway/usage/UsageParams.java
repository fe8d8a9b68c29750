package io.sage.gateway.usage;

import io.sage.host.usage.UsageQuery;
import io.sage.spi.SageException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The query parameters of a usage read: {@code from} and {@code to} as ISO-8601 instants or as a
 * time ago ({@code 24h}, {@code 7d}, {@code 30m}); {@code from} defaults to 24 hours ago and {@code
 * to} to now; {@code group_by} a comma list of {@code key}, {@code model}, {@code hour}, {@code
 * day}. Every problem is reported at once, as a 400.
 */
final class UsageParams {
  private static final Pattern AGO = Pattern.compile("(\\d{1,6})([smhd])");
  private static final Duration MAX_SPAN = Duration.ofDays(3660);

  private UsageParams() {}

  static UsageQuery parse(
      Instant now, String key, String model, String from, String to, String groupBy) {
    List<String> problems = new ArrayList<>();
    Instant start = time("from", from, now, now.minus(Duration.ofHours(24)), problems);
    Instant end = time("to", to, now, now, problems);
    List<UsageQuery.Dimension> dimensions = new ArrayList<>();
    if (groupBy != null && !groupBy.isBlank()) {
      for (String part : groupBy.split(",")) {
        String name = part.trim().toUpperCase(Locale.ROOT);
        try {
          UsageQuery.Dimension d = UsageQuery.Dimension.valueOf(name);
          if (!dimensions.contains(d)) {
            dimensions.add(d);
          }
        } catch (IllegalArgumentException e) {
          problems.add(
              "group_by takes key, model, hour or day (comma separated), got '"
                  + part.trim()
                  + "'");
        }
      }
    }
    if (dimensions.contains(UsageQuery.Dimension.HOUR)
        && dimensions.contains(UsageQuery.Dimension.DAY)) {
      problems.add("group_by may have hour or day, not both");
    }
    if (start != null && end != null && !start.isBefore(end)) {
      problems.add("from must be before to");
    }
    if (start != null && end != null && Duration.between(start, end).compareTo(MAX_SPAN) > 0) {
      problems.add("from and to may be at most 3660 days apart");
    }
    if (key != null && (key.isBlank() || key.length() > 64)) {
      problems.add("key must be a key id (1-64 characters)");
    }
    if (model != null && (model.isBlank() || model.length() > 1024)) {
      problems.add("model must be 1-1024 characters");
    }
    if (!problems.isEmpty()) {
      throw SageException.invalid(null, "invalid usage query: " + String.join("; ", problems));
    }
    return new UsageQuery(start, end, key, model, dimensions);
  }

  private static Instant time(
      String name, String value, Instant now, Instant fallback, List<String> problems) {
    if (value == null || value.isBlank()) {
      return fallback;
    }
    String trimmed = value.trim();
    Matcher ago = AGO.matcher(trimmed);
    if (ago.matches()) {
      long n = Long.parseLong(ago.group(1));
      Duration unit =
          switch (ago.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
          };
      return now.minus(unit);
    }
    try {
      return Instant.parse(trimmed);
    } catch (DateTimeParseException e) {
      problems.add(
          name
              + " must be an ISO-8601 instant (2026-01-31T00:00:00Z) or a time ago (24h, 7d), got '"
              + trimmed
              + "'");
      return null;
    }
  }
}
