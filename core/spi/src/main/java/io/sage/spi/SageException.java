package io.sage.spi;

import java.util.Objects;

/**
 * The one exception type of the SPI and the host. Its {@link ErrorCode} decides the HTTP status;
 * its message is shown to the client, so it must be a sentence a person can act on and must not
 * contain secrets.
 */
public class SageException extends RuntimeException {
  private final ErrorCode code;
  private final String param;

  public SageException(ErrorCode code, String message) {
    this(code, message, null, null);
  }

  public SageException(ErrorCode code, String message, String param) {
    this(code, message, param, null);
  }

  public SageException(ErrorCode code, String message, String param, Throwable cause) {
    super(Objects.requireNonNull(message, "message"), cause);
    this.code = Objects.requireNonNull(code, "code");
    this.param = param;
  }

  public ErrorCode code() {
    return code;
  }

  /** The request field at fault, or {@code null}. */
  public String param() {
    return param;
  }

  public static SageException invalid(String param, String message) {
    return new SageException(ErrorCode.INVALID_REQUEST, message, param);
  }
}
