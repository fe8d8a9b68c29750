package io.sage.gateway.errors;

import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.compression.DecompressionException;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;

/** Tells exceptions caused by what a client sent (or by its leaving) from the gateway's own. */
final class InputErrors {
  private InputErrors() {}

  /** A client-facing description when {@code error} comes from undecodable input, else null. */
  static String describe(Throwable error) {
    for (Throwable cause = error; cause != null; cause = next(cause)) {
      if (cause instanceof DecompressionException) {
        return "request body could not be decompressed (Content-Encoding does not match the"
            + " bytes)";
      }
      if (cause instanceof DecoderException) {
        return "request could not be decoded: malformed body framing or encoding";
      }
    }
    return null;
  }

  /** Whether {@code error} only says the client closed its connection. */
  static boolean isDisconnect(Throwable error) {
    for (Throwable cause = error; cause != null; cause = next(cause)) {
      if (cause instanceof PrematureChannelClosureException
          || cause instanceof ClosedChannelException
          || cause instanceof java.io.EOFException) {
        return true;
      }
      if (cause instanceof IOException io
          && io.getMessage() != null
          && (io.getMessage().contains("Connection reset")
              || io.getMessage().contains("Broken pipe"))) {
        return true;
      }
    }
    return false;
  }

  private static Throwable next(Throwable cause) {
    return cause.getCause() == cause ? null : cause.getCause();
  }
}
