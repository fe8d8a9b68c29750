package io.sage.gateway.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/**
 * Puts the declared name in place of an alias in a JSON body: engines serve the declared name only
 * (vLLM answers 404 to any other). Other bodies (multipart) pass unchanged. Only requests that name
 * an alias pay for the rewrite; every other body is relayed byte for byte.
 */
final class ModelRename {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ModelRename() {}

  static byte[] rename(byte[] body, String model) {
    try {
      JsonNode tree = JSON.readTree(body);
      if (tree instanceof ObjectNode object && object.has("model")) {
        object.put("model", model);
        return JSON.writeValueAsBytes(object);
      }
    } catch (IOException e) {
      // not JSON: relayed as it is
    }
    return body;
  }
}
