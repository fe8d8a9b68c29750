package io.sage.engine.embedding.server;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The engine process's command line, as the factory writes it.
 *
 * @param modelFolder a folder holding model.onnx and tokenizer.json, or {@code null} for the
 *     bundled all-MiniLM-L6-v2
 */
public record ServerArguments(
    String host,
    int port,
    String model,
    Path modelFolder,
    String servedModelName,
    int threads,
    int maxBatchSize,
    int batchWaitMs,
    int maxInputs,
    int maxInputTokens,
    boolean truncate,
    boolean clsPooling,
    boolean normalize,
    boolean spinWait) {

  public static final String DEFAULT_MODEL = "sentence-transformers/all-MiniLM-L6-v2";

  public ServerArguments {
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("--port must be 0..65535, got " + port);
    }
    if (threads < 1 || maxBatchSize < 1 || batchWaitMs < 0 || maxInputs < 1 || maxInputTokens < 2) {
      throw new IllegalArgumentException(
          "--threads, --max-batch-size, --max-inputs and --max-input-tokens must be positive");
    }
  }

  public static ServerArguments parse(List<String> args) {
    Map<String, String> values = new HashMap<>();
    for (int i = 0; i < args.size(); i += 2) {
      String name = args.get(i);
      if (!name.startsWith("--") || i + 1 >= args.size()) {
        throw new IllegalArgumentException("expected '--name value' pairs, got '" + name + "'");
      }
      values.put(name.substring(2), args.get(i + 1));
    }
    String model = values.getOrDefault("model", DEFAULT_MODEL);
    Path folder = DEFAULT_MODEL.equalsIgnoreCase(model) ? null : Path.of(model);
    String pooling = values.getOrDefault("pooling", "mean");
    if (!pooling.equals("mean") && !pooling.equals("cls")) {
      throw new IllegalArgumentException("--pooling must be mean or cls, got " + pooling);
    }
    return new ServerArguments(
        values.getOrDefault("host", "127.0.0.1"),
        Integer.parseInt(values.getOrDefault("port", "8000")),
        model,
        folder,
        values.getOrDefault("served-model-name", model),
        Integer.parseInt(
            values.getOrDefault(
                "threads", Integer.toString(Runtime.getRuntime().availableProcessors()))),
        Integer.parseInt(values.getOrDefault("max-batch-size", "32")),
        Integer.parseInt(values.getOrDefault("batch-wait-ms", "0")),
        Integer.parseInt(values.getOrDefault("max-inputs", "256")),
        Integer.parseInt(values.getOrDefault("max-input-tokens", "512")),
        Boolean.parseBoolean(values.getOrDefault("truncate", "false")),
        pooling.equals("cls"),
        Boolean.parseBoolean(values.getOrDefault("normalize", "true")),
        Boolean.parseBoolean(values.getOrDefault("spin-wait", "false")));
  }
}
