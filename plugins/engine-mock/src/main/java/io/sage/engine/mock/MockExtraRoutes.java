package io.sage.engine.mock;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The vLLM routes beyond chat, completions and embeddings, in vLLM's shapes with deterministic
 * values: {@code /tokenize} (one token per word), {@code /detokenize}, rerank ({@code /v1/rerank},
 * {@code /rerank}, {@code /v2/rerank}) and score ({@code /v1/score}, {@code /score}) by the cosine
 * of the mock's embedding vectors, {@code /v1/responses} (non-streaming) and the audio routes
 * (multipart, answering with the upload's size).
 */
final class MockExtraRoutes {
  private static final int DIM = 32;
  private final String model;
  private final String modelJson;
  private final AtomicLong ids = new AtomicLong();
  private final MockOptions options;

  MockExtraRoutes(String model, MockOptions options) {
    this.model = model;
    this.modelJson = JsonText.quote(model);
    this.options = options;
  }

  /** Answers after the configured {@code latency_ms}, like the other routes. */
  private void send(HttpExchange exchange, String body) throws IOException {
    Pacing.sleepUntil(System.nanoTime() + options.latency().toNanos());
    MockRouter.sendJson(exchange, 200, body.getBytes(StandardCharsets.UTF_8));
  }

  void serveAnyKind(HttpExchange exchange, String path, MockRequest request) throws IOException {
    String body =
        switch (path) {
          case "/tokenize" -> tokenize(request.fields());
          case "/detokenize" -> detokenize(request.fields());
          case "/v1/score", "/score" -> score(request.fields());
          default -> rerank(request.fields());
        };
    send(exchange, body);
  }

  private String tokenize(Map<String, Object> fields) {
    Object prompt = fields.get("prompt");
    String text;
    if (prompt instanceof String given) {
      text = given;
    } else if (prompt == null && fields.get("messages") != null) {
      MockRequestValidation.chat(fields);
      text = words(fields.get("messages"));
    } else {
      throw ApiError.invalid("prompt", "'prompt' must be a string (or send 'messages')");
    }
    StringBuilder out = new StringBuilder("{\"count\":");
    List<Integer> tokens = new ArrayList<>();
    for (String word : text.trim().isEmpty() ? new String[0] : text.trim().split("\\s+")) {
      tokens.add(tokenId(word));
    }
    out.append(tokens.size()).append(",\"max_model_len\":4096,\"tokens\":").append(tokens);
    return out.append(",\"token_strs\":null}").toString().replace(", ", ",");
  }

  private static String detokenize(Map<String, Object> fields) {
    if (!(fields.get("tokens") instanceof List<?> tokens)
        || !tokens.stream()
            .allMatch(
                t -> t instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()))) {
      throw ApiError.invalid("tokens", "'tokens' must be a list of integers");
    }
    StringBuilder text = new StringBuilder();
    for (Object token : tokens) {
      text.append(text.length() == 0 ? "" : " ").append("tok").append(((Number) token).longValue());
    }
    return "{\"prompt\":" + JsonText.quote(text.toString()) + "}";
  }

  private String rerank(Map<String, Object> fields) {
    String query = text(fields, "query");
    List<String> documents = texts(fields, "documents");
    int topN = documents.size();
    Object given = fields.get("top_n");
    if (given instanceof Number n && n.intValue() >= 1) {
      topN = Math.min(topN, n.intValue());
    } else if (given != null) {
      throw ApiError.invalid("top_n", "'top_n' must be a positive integer");
    }
    List<double[]> scored = new ArrayList<>();
    for (int i = 0; i < documents.size(); i++) {
      scored.add(new double[] {i, similarity(query, documents.get(i))});
    }
    scored.sort((a, b) -> Double.compare(b[1], a[1]));
    StringBuilder out = new StringBuilder("{\"id\":\"rerank-mock-").append(ids.incrementAndGet());
    out.append("\",\"model\":").append(modelJson).append(",\"usage\":{\"total_tokens\":");
    out.append(MockRequest.countWords(query) + MockRequest.countWords(documents));
    out.append("},\"results\":[");
    for (int k = 0; k < topN; k++) {
      int index = (int) scored.get(k)[0];
      out.append(k == 0 ? "" : ",").append("{\"index\":").append(index);
      out.append(",\"document\":{\"text\":");
      JsonText.quote(out, documents.get(index)).append("},\"relevance_score\":");
      out.append(scored.get(k)[1]).append('}');
    }
    return out.append("]}").toString();
  }

  private String score(Map<String, Object> fields) {
    List<String> first = stringOrList(fields, "text_1");
    List<String> second = stringOrList(fields, "text_2");
    if (first.size() != 1 && first.size() != second.size()) {
      throw ApiError.invalid("text_1", "'text_1' must be one text or as many as 'text_2'");
    }
    StringBuilder out = new StringBuilder("{\"id\":\"score-mock-").append(ids.incrementAndGet());
    out.append("\",\"object\":\"list\",\"model\":").append(modelJson).append(",\"data\":[");
    for (int i = 0; i < second.size(); i++) {
      String left = first.size() == 1 ? first.get(0) : first.get(i);
      out.append(i == 0 ? "" : ",").append("{\"index\":").append(i);
      out.append(",\"object\":\"score\",\"score\":").append(similarity(left, second.get(i)));
      out.append('}');
    }
    int tokens = MockRequest.countWords(first) + MockRequest.countWords(second);
    out.append("],\"usage\":{\"prompt_tokens\":").append(tokens);
    return out.append(",\"total_tokens\":").append(tokens).append("}}").toString();
  }

  void serveResponse(HttpExchange exchange, MockRequest request) throws IOException {
    Map<String, Object> fields = request.fields();
    Object input = fields.get("input");
    if (!(input instanceof String) && !(input instanceof List<?>)) {
      throw ApiError.invalid("input", "'input' must be a string or a list of input items");
    }
    if (Boolean.TRUE.equals(fields.get("stream"))) {
      throw ApiError.invalid("stream", "the mock engine serves /v1/responses without streaming");
    }
    int tokens = Completions.DEFAULT_MAX_TOKENS;
    Object max = fields.get("max_output_tokens");
    if (max instanceof Number n
        && n.doubleValue() >= 1
        && n.doubleValue() == Math.rint(n.doubleValue())) {
      tokens = Math.min(n.intValue(), Completions.MAX_TOKENS_LIMIT);
    } else if (max != null) {
      throw ApiError.invalid("max_output_tokens", "'max_output_tokens' must be a positive integer");
    }
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < tokens; i++) {
      text.append(i == 0 ? "tok" : " tok").append(i);
    }
    int inputTokens = MockRequest.countWords(input);
    String body =
        "{\"id\":\"resp_mock_"
            + ids.incrementAndGet()
            + "\",\"object\":\"response\",\"created_at\":"
            + System.currentTimeMillis() / 1000
            + ",\"status\":\"completed\",\"model\":"
            + modelJson
            + ",\"output\":[{\"type\":\"message\",\"id\":\"msg_mock\",\"status\":\"completed\","
            + "\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\",\"text\":"
            + JsonText.quote(text.toString())
            + ",\"annotations\":[]}]}],\"usage\":{\"input_tokens\":"
            + inputTokens
            + ",\"output_tokens\":"
            + tokens
            + ",\"total_tokens\":"
            + (inputTokens + tokens)
            + "}}";
    send(exchange, body);
  }

  /** A form upload: the model field must name this model and a file part must be present. */
  void serveAudio(HttpExchange exchange, String path, byte[] body, boolean embedding)
      throws IOException {
    if (embedding) {
      throw ApiError.invalid("model", "The model `" + model + "` does not support audio.");
    }
    String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
    if (contentType == null
        || !contentType.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
      throw ApiError.invalid(null, "audio requests must be multipart/form-data");
    }
    String text = new String(body, StandardCharsets.ISO_8859_1);
    String modelField = formValue(text, "model");
    if (modelField != null && !modelField.equals(model)) {
      throw ApiError.modelNotFound(modelField);
    }
    int file = text.indexOf("name=\"file\"");
    if (file < 0) {
      throw ApiError.invalid("file", "the form field 'file' is required");
    }
    int start = text.indexOf("\r\n\r\n", file) + 4;
    int end = text.indexOf("\r\n--", start);
    int size = start < 4 || end < 0 ? 0 : end - start;
    String verb = path.endsWith("translations") ? "translation" : "transcription";
    String answer = "{\"text\":" + JsonText.quote("mock " + verb + " of " + size + " bytes") + "}";
    send(exchange, answer);
  }

  private static String formValue(String text, String name) {
    int at = text.indexOf("name=\"" + name + "\"");
    if (at < 0) {
      return null;
    }
    int start = text.indexOf("\r\n\r\n", at);
    int end = start < 0 ? -1 : text.indexOf("\r\n--", start + 4);
    if (end < 0) {
      return null;
    }
    return new String(
            text.substring(start + 4, end).getBytes(StandardCharsets.ISO_8859_1),
            StandardCharsets.UTF_8)
        .trim();
  }

  private static String text(Map<String, Object> fields, String name) {
    if (fields.get(name) instanceof String text) {
      return text;
    }
    throw ApiError.invalid(name, "'" + name + "' must be a string");
  }

  private static List<String> texts(Map<String, Object> fields, String name) {
    if (fields.get(name) instanceof List<?> list
        && !list.isEmpty()
        && list.stream().allMatch(String.class::isInstance)) {
      return list.stream().map(String.class::cast).toList();
    }
    throw ApiError.invalid(name, "'" + name + "' must be a non-empty list of strings");
  }

  private static List<String> stringOrList(Map<String, Object> fields, String name) {
    if (fields.get(name) instanceof String text) {
      return List.of(text);
    }
    return texts(fields, name);
  }

  private static String words(Object messages) {
    StringBuilder out = new StringBuilder();
    if (messages instanceof List<?> list) {
      for (Object message : list) {
        if (message instanceof Map<?, ?> map && map.get("content") instanceof String content) {
          out.append(content).append(' ');
        }
      }
    }
    return out.toString();
  }

  private static int tokenId(String word) {
    return Math.floorMod(word.hashCode(), 50_000);
  }

  private static double similarity(String a, String b) {
    float[] x = Embeddings.vector(a, DIM);
    float[] y = Embeddings.vector(b, DIM);
    double dot = 0;
    for (int i = 0; i < DIM; i++) {
      dot += (double) x[i] * y[i];
    }
    return (dot + 1) / 2; // cosine of unit vectors, moved into [0, 1] like a relevance score
  }
}
