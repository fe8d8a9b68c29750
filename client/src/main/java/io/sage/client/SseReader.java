package io.sage.client;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Reads server-sent events from a body as it arrives: each call blocks only until the next event is
 * complete, so deltas reach the caller while the engine is still generating.
 */
final class SseReader implements Closeable {

  private final BufferedReader reader;

  SseReader(InputStream body) {
    this.reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
  }

  /** The joined {@code data:} lines of the next event; empty at the end of the body. */
  Optional<String> nextData() throws IOException {
    StringBuilder data = null;
    String line;
    while ((line = reader.readLine()) != null) {
      if (line.isEmpty()) {
        if (data != null) {
          return Optional.of(data.toString());
        }
        continue;
      }
      if (line.startsWith(":")) {
        continue;
      }
      int colon = line.indexOf(':');
      String field = colon < 0 ? line : line.substring(0, colon);
      String value = colon < 0 ? "" : line.substring(colon + 1);
      if (value.startsWith(" ")) {
        value = value.substring(1);
      }
      if (field.equals("data")) {
        data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
      }
    }
    return Optional.ofNullable(data).map(StringBuilder::toString);
  }

  /** The next raw line; empty at the end of the body (for plain-text log follow). */
  Optional<String> nextLine() throws IOException {
    return Optional.ofNullable(reader.readLine());
  }

  @Override
  public void close() throws IOException {
    reader.close();
  }
}
