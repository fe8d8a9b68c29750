package io.sage.gateway.openai;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import java.io.IOException;

/**
 * The few fields the gateway reads from an inference body: {@code model}, {@code stream} and
 * whether {@code stream_options} is present and asks for {@code include_usage}. The body is checked
 * to be one well-formed JSON object with a token scan (no tree is built), and is then forwarded
 * byte for byte (but for the usage option, see {@link StreamUsage}).
 */
public record InferenceRequest(
    String model, boolean stream, boolean hasStreamOptions, boolean includeUsage) {

  public InferenceRequest(String model, boolean stream) {
    this(model, stream, false, false);
  }

  /**
   * Duplicate keys are refused: with last-wins, {@code {"model":"other","model":"m"}} would pass a
   * key limited to {@code m} while an engine that takes the first key serves {@code other}.
   */
  private static final JsonFactory JSON =
      JsonFactory.builder()
          .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .build();

  public static InferenceRequest inspect(byte[] body) {
    if (body == null || body.length == 0) {
      throw SageException.invalid(
          null, "request body is empty; expected a JSON object with a 'model' field");
    }
    String model = null;
    boolean stream = false;
    boolean hasStreamOptions = false;
    boolean includeUsage = false;
    try (JsonParser parser = JSON.createParser(body)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw SageException.invalid(null, "request body must be a JSON object");
      }
      JsonToken token;
      while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        JsonToken value = parser.nextToken();
        if ("model".equals(name)) {
          if (value != JsonToken.VALUE_STRING) {
            throw SageException.invalid("model", "'model' must be a string");
          }
          model = parser.getText();
        } else if ("stream".equals(name)) {
          if (value == JsonToken.VALUE_TRUE || value == JsonToken.VALUE_FALSE) {
            stream = value == JsonToken.VALUE_TRUE;
          } else if (value != JsonToken.VALUE_NULL) {
            throw SageException.invalid("stream", "'stream' must be true or false");
          }
        } else if ("stream_options".equals(name) && value == JsonToken.START_OBJECT) {
          hasStreamOptions = true;
          includeUsage = includeUsage(parser);
        } else if ("stream_options".equals(name) && value == JsonToken.VALUE_NULL) {
          // present, so StreamUsage replaces it rather than adding a second (duplicate) key
          hasStreamOptions = true;
        } else if ("stream_options".equals(name)) {
          throw SageException.invalid("stream_options", "'stream_options' must be an object");
        } else if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
          skipChildren(parser);
        }
      }
      if (token != JsonToken.END_OBJECT || parser.nextToken() != null) {
        throw SageException.invalid(null, "request body is not a single JSON object");
      }
    } catch (IOException e) {
      throw new SageException(
          ErrorCode.INVALID_REQUEST, "request body is not valid JSON: " + shortMessage(e), null);
    }
    if (model == null || model.isBlank()) {
      throw SageException.invalid("model", "'model' is required");
    }
    return new InferenceRequest(model, stream, hasStreamOptions, includeUsage);
  }

  /** Reads a {@code stream_options} object (the parser is on its start) for include_usage. */
  private static boolean includeUsage(JsonParser parser) throws IOException {
    boolean include = false;
    JsonToken token;
    while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
      String name = parser.currentName();
      JsonToken value = parser.nextToken();
      if ("include_usage".equals(name)) {
        include = value == JsonToken.VALUE_TRUE;
      } else if (value.isStructStart()) {
        skipChildren(parser);
      }
    }
    if (token != JsonToken.END_OBJECT) {
      throw new IOException("unexpected end of input");
    }
    return include;
  }

  /** Walks the nested value token by token, so malformed JSON inside it is still detected. */
  private static void skipChildren(JsonParser parser) throws IOException {
    int depth = 1;
    while (depth > 0) {
      JsonToken token = parser.nextToken();
      if (token == null) {
        throw new IOException("unexpected end of input");
      }
      if (token.isStructStart()) {
        depth++;
      } else if (token.isStructEnd()) {
        depth--;
      }
    }
  }

  private static String shortMessage(IOException e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    int newline = message.indexOf('\n');
    return newline > 0 ? message.substring(0, newline) : message;
  }
}
