package io.sage.gateway.openai;

import io.sage.spi.SageException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The {@code model} (and {@code stream}) form fields of a {@code multipart/form-data} inference
 * body (audio transcriptions and translations). The parts are scanned for their headers only; the
 * body is forwarded byte for byte with its own content type and boundary.
 */
final class MultipartInference {
  private MultipartInference() {}

  static boolean applies(String contentType) {
    return contentType != null
        && contentType.toLowerCase(Locale.ROOT).startsWith("multipart/form-data");
  }

  static InferenceRequest inspect(byte[] body, String contentType) {
    String boundary = boundary(contentType);
    if (body == null || body.length == 0) {
      throw SageException.invalid(null, "request body is empty; expected a form with a 'model'");
    }
    // ISO-8859-1 maps every byte to one char, so binary parts cannot break the scan
    String text = new String(body, StandardCharsets.ISO_8859_1);
    String delimiter = "--" + boundary;
    String model = null;
    boolean stream = false;
    int at = text.indexOf(delimiter);
    if (at < 0) {
      throw SageException.invalid(
          null, "multipart body has no part with boundary '" + boundary + "'");
    }
    while (at >= 0) {
      int partStart = at + delimiter.length();
      if (text.startsWith("--", partStart)) {
        break; // the closing delimiter
      }
      int headersEnd = text.indexOf("\r\n\r\n", partStart);
      if (headersEnd < 0) {
        throw SageException.invalid(null, "multipart body has a part without a header end");
      }
      String headers = text.substring(partStart, headersEnd);
      int next = text.indexOf("\r\n" + delimiter, headersEnd + 4);
      if (next < 0) {
        throw SageException.invalid(null, "multipart body is not closed by its boundary");
      }
      String name = fieldName(headers);
      if ("model".equals(name) || "stream".equals(name)) {
        String value =
            new String(
                    text.substring(headersEnd + 4, next).getBytes(StandardCharsets.ISO_8859_1),
                    StandardCharsets.UTF_8)
                .trim();
        if ("model".equals(name)) {
          model = value;
        } else {
          stream = value.equalsIgnoreCase("true");
        }
      }
      at = next + 2;
    }
    if (model == null || model.isBlank()) {
      throw SageException.invalid("model", "the form field 'model' is required");
    }
    return new InferenceRequest(model, stream);
  }

  private static String boundary(String contentType) {
    for (String parameter : contentType.split(";")) {
      String trimmed = parameter.trim();
      if (trimmed.toLowerCase(Locale.ROOT).startsWith("boundary=")) {
        String value = trimmed.substring("boundary=".length());
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
          value = value.substring(1, value.length() - 1);
        }
        if (!value.isEmpty() && value.length() <= 200) {
          return value;
        }
      }
    }
    throw SageException.invalid(null, "multipart/form-data content type without a boundary");
  }

  /** The {@code name} of a part's {@code Content-Disposition: form-data; name="..."}. */
  private static String fieldName(String headers) {
    for (String line : headers.split("\r\n")) {
      if (!line.toLowerCase(Locale.ROOT).startsWith("content-disposition:")) {
        continue;
      }
      for (String parameter : line.substring(line.indexOf(':') + 1).split(";")) {
        String trimmed = parameter.trim();
        if (trimmed.startsWith("name=")) {
          String value = trimmed.substring(5);
          return value.startsWith("\"") && value.endsWith("\"") && value.length() >= 2
              ? value.substring(1, value.length() - 1)
              : value;
        }
      }
    }
    return null;
  }
}
