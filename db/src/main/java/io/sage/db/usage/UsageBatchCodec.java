package io.sage.db.usage;

import io.sage.host.usage.UsageRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The text form of a batch of raw usage rows, as one {@code usage_batches.records} value holds them
 * (migration V28): a dictionary of the batch's strings (key ids, models, engine ids, routes), then
 * one line of numbers per row. Every field of every row is kept; a string repeated by many rows is
 * written once. The form, line by line:
 *
 * <pre>
 * u1
 * STRING_COUNT
 * one escaped string per line (backslash, newline and carriage return escaped)
 * one row per line: AT_DELTA_MS,KEY,MODEL,ENGINE,ROUTE,STATUS,PROMPT,COMPLETION,TTFB_MS,DURATION_MS
 * </pre>
 *
 * {@code AT_DELTA_MS} is the row's end time in milliseconds after the batch's {@code first_at};
 * {@code KEY}, {@code MODEL}, {@code ENGINE} and {@code ROUTE} are indexes into the dictionary
 * ({@code ENGINE} -1 when the gateway answered itself); {@code TTFB_MS} is -1 when no byte came.
 */
final class UsageBatchCodec {
  /** Characters one value holds at most (the column is VARCHAR(1000000)). */
  static final int MAX_CHARS = 200_000;

  private static final String VERSION = "u1";
  // the most one row can add: four strings of up to 1024 characters, each escaped to at most
  // twice its length, and ten numbers
  private static final int ROW_NUMBER_CHARS = 10 * 21;
  private static final int MAX_ROW_CHARS = 4 * (2 * 1024 + 1) + ROW_NUMBER_CHARS;

  private UsageBatchCodec() {}

  /** One encoded batch: what {@code usage_batches} holds in one row. */
  record Encoded(long firstAt, long lastAt, int rowCount, String text) {}

  /** The rows as one or more encoded batches (more when they would not fit {@link #MAX_CHARS}). */
  static List<Encoded> encode(List<UsageRecord> records) {
    List<Encoded> out = new ArrayList<>(1);
    int from = 0;
    while (from < records.size()) {
      from = encodeFrom(records, from, out);
    }
    return out;
  }

  private static int encodeFrom(List<UsageRecord> records, int from, List<Encoded> out) {
    long first = Long.MAX_VALUE;
    long last = Long.MIN_VALUE;
    int to = from;
    // the dictionary and the batch's bounds first: row times are written relative to the earliest
    Map<String, Integer> ids = new HashMap<>();
    List<String> strings = new ArrayList<>();
    int chars = 0;
    while (to < records.size() && (to == from || chars + MAX_ROW_CHARS <= MAX_CHARS)) {
      UsageRecord r = records.get(to);
      long at = r.at().toEpochMilli();
      first = Math.min(first, at);
      last = Math.max(last, at);
      chars += intern(r.keyId(), ids, strings);
      chars += intern(r.model(), ids, strings);
      if (r.engineId() != null) {
        chars += intern(r.engineId(), ids, strings);
      }
      chars += intern(r.route(), ids, strings);
      chars += ROW_NUMBER_CHARS;
      to++;
    }
    StringBuilder text = new StringBuilder(chars + 64);
    text.append(VERSION).append('\n').append(strings.size()).append('\n');
    for (String s : strings) {
      escape(s, text);
      text.append('\n');
    }
    for (int i = from; i < to; i++) {
      UsageRecord r = records.get(i);
      text.append(r.at().toEpochMilli() - first).append(',');
      text.append(ids.get(r.keyId())).append(',');
      text.append(ids.get(r.model())).append(',');
      text.append(r.engineId() == null ? -1 : ids.get(r.engineId())).append(',');
      text.append(ids.get(r.route())).append(',');
      text.append(r.status()).append(',');
      text.append(r.promptTokens()).append(',');
      text.append(r.completionTokens()).append(',');
      text.append(r.ttfbMillis() < 0 ? -1 : r.ttfbMillis()).append(',');
      text.append(r.durationMillis()).append('\n');
    }
    out.add(new Encoded(first, last, to - from, text.toString()));
    return to;
  }

  private static int intern(String s, Map<String, Integer> ids, List<String> strings) {
    if (ids.putIfAbsent(s, strings.size()) != null) {
      return 0;
    }
    strings.add(s);
    return 2 * s.length() + 1;
  }

  private static void escape(String s, StringBuilder out) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        default -> out.append(c);
      }
    }
  }

  /** The rows of one encoded batch, in the order they were written. */
  static List<UsageRecord> decode(long firstAt, String text) {
    Lines lines = new Lines(text);
    String version = lines.next();
    if (!VERSION.equals(version)) {
      throw new IllegalStateException("unknown usage batch format: " + version);
    }
    int count = Integer.parseInt(lines.next());
    String[] strings = new String[count];
    for (int i = 0; i < count; i++) {
      strings[i] = unescape(lines.next());
    }
    List<UsageRecord> out = new ArrayList<>();
    String line;
    while ((line = lines.next()) != null) {
      long[] f = numbers(line);
      out.add(
          new UsageRecord(
              Instant.ofEpochMilli(firstAt + f[0]),
              strings[(int) f[1]],
              strings[(int) f[2]],
              f[3] < 0 ? null : strings[(int) f[3]],
              strings[(int) f[4]],
              (int) f[5],
              f[6],
              f[7],
              f[8],
              f[9]));
    }
    return out;
  }

  private static long[] numbers(String line) {
    long[] out = new long[10];
    int field = 0;
    int start = 0;
    for (int i = 0; i <= line.length(); i++) {
      if (i == line.length() || line.charAt(i) == ',') {
        if (field == out.length) {
          throw new IllegalStateException("usage batch row with too many fields: " + line);
        }
        out[field++] = Long.parseLong(line, start, i, 10);
        start = i + 1;
      }
    }
    if (field != out.length) {
      throw new IllegalStateException("usage batch row with too few fields: " + line);
    }
    return out;
  }

  private static String unescape(String s) {
    if (s.indexOf('\\') < 0) {
      return s;
    }
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length()) {
        char n = s.charAt(++i);
        out.append(n == 'n' ? '\n' : n == 'r' ? '\r' : n);
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  /** The lines of a text, without their '\n'; null after the last. */
  private static final class Lines {
    private final String text;
    private int at;

    Lines(String text) {
      this.text = text;
    }

    String next() {
      if (at >= text.length()) {
        return null;
      }
      int end = text.indexOf('\n', at);
      if (end < 0) {
        end = text.length();
      }
      String line = text.substring(at, end);
      at = end + 1;
      return line;
    }
  }
}
