package io.sage.gateway.openai;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/**
 * Takes the usage the gateway asked for out of an SSE stream, event by event: the event whose
 * {@code choices} is empty and which carries a {@code usage} object is dropped, and {@code
 * "usage":null} is removed from the others. Events are split on a blank line ({@code \n\n}); bytes
 * of an event not yet complete wait for the next chunk. Used by one stream, on its I/O thread.
 */
final class UsageStreamFilter {
  private static final byte[] EVENT_END = {'\n', '\n'};
  private static final byte[] DATA = "data: {".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] EMPTY_CHOICES = "\"choices\":[]".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] USAGE_KEY = "\"usage\":".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] NULL = "null".getBytes(StandardCharsets.US_ASCII);

  private byte[] pending = new byte[512];
  private int length;

  /** Takes (and releases) one engine chunk; returns what may go to the client now, or null. */
  ByteBuf push(ByteBuf chunk) {
    try {
      int n = chunk.readableBytes();
      ensure(length + n);
      chunk.readBytes(pending, length, n);
      length += n;
    } finally {
      chunk.release();
    }
    ByteBuf out = null;
    int start = 0;
    int end;
    while ((end = indexOf(pending, start, length, EVENT_END)) >= 0) {
      end += EVENT_END.length;
      out = emit(out, start, end);
      start = end;
    }
    if (start > 0) {
      System.arraycopy(pending, start, pending, 0, length - start);
      length -= start;
    }
    return out;
  }

  /** What is left when the engine's body ended (an incomplete last event goes out as it is). */
  ByteBuf finish() {
    if (length == 0) {
      return null;
    }
    ByteBuf out = ByteBufAllocator.DEFAULT.buffer(length);
    out.writeBytes(pending, 0, length);
    length = 0;
    return out;
  }

  // one scan of the event for "usage": (the rare event that has it is looked at further), not one
  // per pattern: this runs for every event of every stream the gateway asked usage of
  private ByteBuf emit(ByteBuf out, int start, int end) {
    int at = startsWith(pending, start, end, DATA) ? usageKey(start, end) : -1;
    int value = at + USAGE_KEY.length;
    if (at >= 0
        && value < end
        && pending[value] == '{'
        && indexOf(pending, start, end, EMPTY_CHOICES) >= 0) {
      return out; // the usage event itself
    }
    int cut = -1;
    int cutLength = 0;
    if (at >= 0 && startsWith(pending, value, end, NULL)) {
      if (pending[at - 1] == ',') {
        cut = at - 1; // ,"usage":null
        cutLength = 1 + USAGE_KEY.length + NULL.length;
      } else if (value + NULL.length < end && pending[value + NULL.length] == ',') {
        cut = at; // "usage":null,
        cutLength = USAGE_KEY.length + NULL.length + 1;
      }
    }
    if (out == null) {
      out = ByteBufAllocator.DEFAULT.buffer(Math.max(end - start, 256));
    }
    if (cut < 0) {
      out.writeBytes(pending, start, end - start);
    } else {
      out.writeBytes(pending, start, cut - start);
      out.writeBytes(pending, cut + cutLength, end - cut - cutLength);
    }
    return out;
  }

  private void ensure(int capacity) {
    if (capacity > pending.length) {
      byte[] bigger = new byte[Math.max(capacity, pending.length * 2)];
      System.arraycopy(pending, 0, bigger, 0, length);
      pending = bigger;
    }
  }

  /**
   * The event's {@code "usage":} key: the first occurrence whose quote is not escaped (inside a
   * JSON string, as in generated text, it is written {@code \"usage\":}).
   */
  private int usageKey(int start, int end) {
    int from = start;
    int at;
    while ((at = indexOf(pending, from, end, USAGE_KEY)) > start && pending[at - 1] == '\\') {
      from = at + 1;
    }
    return at;
  }

  private static boolean startsWith(byte[] bytes, int from, int to, byte[] prefix) {
    if (to - from < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (bytes[from + i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  static int indexOf(byte[] bytes, int from, int to, byte[] needle) {
    outer:
    for (int i = from; i <= to - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (bytes[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
