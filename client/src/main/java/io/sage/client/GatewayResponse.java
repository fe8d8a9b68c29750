package io.sage.client;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.util.Optional;

/**
 * A successful (2xx) answer whose body has not been read yet; the caller reads and closes it.
 *
 * @param gateway the gateway root URL that answered (after failover, not necessarily the first)
 */
public record GatewayResponse(int status, HttpHeaders headers, InputStream body, URI gateway)
    implements Closeable {

  /** The engine the gateway routed to, from {@code x-sage-engine-id}. */
  public Optional<String> engineId() {
    return headers.firstValue("x-sage-engine-id");
  }

  public Optional<String> contentType() {
    return headers.firstValue("content-type");
  }

  @Override
  public void close() throws IOException {
    body.close();
  }
}
