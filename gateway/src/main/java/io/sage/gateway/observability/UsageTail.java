package io.sage.gateway.observability;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The last few KiB of a response body, kept so that the token {@code usage} can be read once at the
 * end instead of parsing every chunk: OpenAI-style servers put {@code usage} at the end of a JSON
 * body, and in the last data event before {@code [DONE]} of a stream with {@code
 * stream_options.include_usage}. Appending costs one bounded array copy per chunk.
 */
public final class UsageTail {
  static final int CAPACITY = 4096;

  /** The {@link io.sage.gateway.openai.ProxyCall} attribute holding the call's tail. */
  static final String ATTRIBUTE = "sage.usage.tail";

  private static final JsonFactory JSON = new JsonFactory();
  private static final byte[] KEY = "\"usage\"".getBytes(StandardCharsets.US_ASCII);

  private byte[] buffer;
  private int length;
  private Optional<Usage> parsed;

  /** Token counts of one response. */
  public record Usage(long promptTokens, long completionTokens) {
    public Usage {
      if (promptTokens < 0 || completionTokens < 0) {
        throw new IllegalArgumentException(
            "token counts must not be negative: " + promptTokens + ", " + completionTokens);
      }
    }
  }

  /**
   * The usage the engine reported in a completed call's response, read once from the tail {@link
   * UsageTap} kept; empty when it reported none (or nothing kept a tail).
   */
  public static Optional<Usage> of(io.sage.gateway.openai.ProxyCall call) {
    Object tail = call.attributes().get(ATTRIBUTE);
    return tail == null ? Optional.empty() : ((UsageTail) tail).usage();
  }

  synchronized void append(ByteBuffer chunk) {
    parsed = null;
    int n = chunk.remaining();
    if (n == 0) {
      return;
    }
    if (buffer == null) {
      buffer = new byte[CAPACITY];
    }
    if (n >= CAPACITY) {
      chunk.position(chunk.position() + n - CAPACITY);
      chunk.get(buffer, 0, CAPACITY);
      length = CAPACITY;
      return;
    }
    if (length + n > CAPACITY) {
      int keep = CAPACITY - n;
      System.arraycopy(buffer, length - keep, buffer, 0, keep);
      length = keep;
    }
    chunk.get(buffer, length, n);
    length += n;
  }

  /** The last {@code usage} object in the tail, when it has one (parsed once, then kept). */
  synchronized Optional<Usage> usage() {
    if (parsed == null) {
      parsed = parse();
    }
    return parsed;
  }

  private Optional<Usage> parse() {
    int at = lastIndexOfKey();
    if (at < 0) {
      return Optional.empty();
    }
    try (JsonParser parser = JSON.createParser(buffer, at + KEY.length, length - at - KEY.length)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return Optional.empty();
      }
      long prompt = 0;
      long completion = 0;
      JsonToken token;
      while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        JsonToken value = parser.nextToken();
        if (value.isStructStart()) {
          parser.skipChildren();
        } else if (value == JsonToken.VALUE_NUMBER_INT && "prompt_tokens".equals(name)) {
          prompt = parser.getLongValue();
        } else if (value == JsonToken.VALUE_NUMBER_INT && "completion_tokens".equals(name)) {
          completion = parser.getLongValue();
        }
      }
      if (token != JsonToken.END_OBJECT || prompt < 0 || completion < 0) {
        return Optional.empty();
      }
      return Optional.of(new Usage(prompt, completion));
    } catch (IOException e) {
      // a cut or malformed tail is not worth more than a missed count
      return Optional.empty();
    }
  }

  /** Index of the last {@code "usage"} key, positioned so that its ':' follows; -1 when none. */
  private int lastIndexOfKey() {
    if (buffer == null) {
      return -1;
    }
    outer:
    for (int i = length - KEY.length; i >= 0; i--) {
      for (int j = 0; j < KEY.length; j++) {
        if (buffer[i + j] != KEY[j]) {
          continue outer;
        }
      }
      int colon = i + KEY.length;
      while (colon < length
          && (buffer[colon] == ' '
              || buffer[colon] == '\n'
              || buffer[colon] == '\r'
              || buffer[colon] == '\t')) {
        colon++;
      }
      if (colon < length && buffer[colon] == ':') {
        return colon + 1 - KEY.length;
      }
    }
    return -1;
  }
}
