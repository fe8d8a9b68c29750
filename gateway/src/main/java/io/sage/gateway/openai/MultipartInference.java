package io.sage.gateway.openai;

import io.micronaut.http.MediaType;
import io.micronaut.http.client.multipart.MultipartBody;
import io.sage.spi.SageException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The {@code model} (and {@code stream}) form fields of a {@code multipart/form-data} inference
 * body (audio transcriptions and translations), and the body's parts re-encoded for the engine:
 * Micronaut's client writes multipart bodies only from a {@link MultipartBody}, so the parts
 * (names, file names, content types and bytes unchanged) go out under a new boundary.
 */
final class MultipartInference {
  private MultipartInference() {}

  static boolean applies(String contentType) {
    return contentType != null
        && contentType.toLowerCase(Locale.ROOT).startsWith("multipart/form-data");
  }

  /** One part of the form: a field ({@code filename} null) or a file. */
  record Part(String name, String filename, String contentType, byte[] bytes) {}

  /** The parts as a body for the engine request. */
  static MultipartBody reencode(byte[] body, String contentType) {
    MultipartBody.Builder builder = MultipartBody.builder();
    for (Part part : parts(body, contentType)) {
      if (part.filename() == null) {
        builder.addPart(part.name(), new String(part.bytes(), StandardCharsets.UTF_8));
      } else {
        builder.addPart(
            part.name(),
            part.filename(),
            part.contentType() == null
                ? MediaType.APPLICATION_OCTET_STREAM_TYPE
                : MediaType.of(part.contentType()),
            part.bytes());
      }
    }
    return builder.build();
  }

  static InferenceRequest inspect(byte[] body, String contentType) {
    String model = null;
    boolean stream = false;
    for (Part part : parts(body, contentType)) {
      if (part.filename() != null) {
        continue;
      }
      String value = new String(part.bytes(), StandardCharsets.UTF_8).trim();
      if (part.name().equals("model")) {
        model = value;
      } else if (part.name().equals("stream")) {
        stream = value.equalsIgnoreCase("true");
      }
    }
    if (model == null || model.isBlank()) {
      throw SageException.invalid("model", "the form field 'model' is required");
    }
    return new InferenceRequest(model, stream);
  }

  static List<Part> parts(byte[] body, String contentType) {
    String boundary = boundary(contentType);
    if (body == null || body.length == 0) {
      throw SageException.invalid(null, "request body is empty; expected a form with a 'model'");
    }
    // ISO-8859-1 maps every byte to one char, so binary parts cannot break the scan
    String text = new String(body, StandardCharsets.ISO_8859_1);
    String delimiter = "--" + boundary;
    List<Part> parts = new ArrayList<>();
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
      String name = parameter(headers, "name");
      if (name == null) {
        throw SageException.invalid(null, "multipart body has a part without a name");
      }
      parts.add(
          new Part(
              name,
              parameter(headers, "filename"),
              header(headers, "content-type"),
              Arrays.copyOfRange(body, headersEnd + 4, next)));
      at = next + 2;
    }
    return parts;
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

  /** A parameter ({@code name}, {@code filename}) of a part's {@code Content-Disposition}. */
  private static String parameter(String headers, String key) {
    String disposition = header(headers, "content-disposition");
    if (disposition == null) {
      return null;
    }
    for (String parameter : disposition.split(";")) {
      String trimmed = parameter.trim();
      if (trimmed.startsWith(key + "=")) {
        String value = trimmed.substring(key.length() + 1);
        String bare =
            value.startsWith("\"") && value.endsWith("\"") && value.length() >= 2
                ? value.substring(1, value.length() - 1)
                : value;
        return new String(bare.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  private static String header(String headers, String name) {
    for (String line : headers.split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
        return line.substring(colon + 1).trim();
      }
    }
    return null;
  }
}
