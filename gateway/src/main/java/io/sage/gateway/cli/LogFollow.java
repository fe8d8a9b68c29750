package io.sage.gateway.cli;

import io.sage.client.SageClientException;
import java.io.PrintWriter;
import java.util.Iterator;
import java.util.stream.Stream;

/**
 * {@code -f} of the log commands: one request to the gateway's follow API ({@code
 * logs?follow=true}), whose chunked body is the tail and then every new line as it is written, so
 * each line is printed once and in order, repeated identical lines included.
 */
final class LogFollow {
  private LogFollow() {}

  /** Prints the followed log's lines until the gateway ends the stream or the user interrupts. */
  static void stream(ClientOptions client, String path) {
    PrintWriter out = client.out();
    try (Stream<String> lines = client.call(() -> client.management().lines(path))) {
      Iterator<String> it = lines.iterator();
      while (it.hasNext()) {
        out.println(it.next());
        out.flush();
      }
    } catch (SageClientException e) {
      throw client.failure(e);
    }
  }
}
