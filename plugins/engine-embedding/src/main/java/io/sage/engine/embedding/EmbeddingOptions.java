package io.sage.engine.embedding;

import io.sage.spi.engine.EngineKind;
import io.sage.spi.engine.EngineSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The embedding runtime's options, parsed from an {@link EngineSpec}. {@link #problems(EngineSpec)}
 * reports every problem at once; {@link #parse(EngineSpec)} is only called on an accepted spec.
 *
 * @param modelFolder the local model folder, or {@code null} for the bundled default model
 */
record EmbeddingOptions(
    Path modelFolder,
    int threads,
    int maxBatchSize,
    int batchWaitMs,
    int maxInputs,
    int maxInputTokens,
    boolean truncate,
    int heapMb,
    String pooling,
    boolean normalize,
    boolean spinWait) {

  /** The model shipped inside the plugin. */
  static final String DEFAULT_MODEL = "sentence-transformers/all-MiniLM-L6-v2";

  /** all-MiniLM-L6-v2 has 512 position embeddings. */
  static final int DEFAULT_MODEL_MAX_TOKENS = 512;

  static final int LOCAL_MODEL_MAX_TOKENS = 32_768;

  static final Set<String> NAMES =
      Set.of(
          "threads",
          "max_batch_size",
          "batch_wait_ms",
          "max_inputs",
          "max_input_tokens",
          "truncate",
          "heap_mb",
          "pooling",
          "normalize",
          "spin_wait");

  EmbeddingOptions {
    if (threads < 1 || maxBatchSize < 1 || maxInputs < 1 || maxInputTokens < 2 || heapMb < 64) {
      throw new IllegalArgumentException("embedding options out of range");
    }
    if (!pooling.equals("mean") && !pooling.equals("cls")) {
      throw new IllegalArgumentException("pooling must be mean or cls");
    }
  }

  static boolean isDefaultModel(String model) {
    return DEFAULT_MODEL.equalsIgnoreCase(model.trim());
  }

  /** Every problem with the spec, each a sentence naming the field; empty when acceptable. */
  static List<String> problems(EngineSpec spec) {
    List<String> problems = new ArrayList<>();
    if (spec.kind() != EngineKind.EMBEDDING) {
      problems.add("engine_kind must be 'embedding' for the embedding runtime");
    }
    if (!spec.extraArgs().isEmpty()) {
      problems.add("extra_args are not supported by the embedding runtime; use options instead");
    }
    boolean defaultModel = isDefaultModel(spec.model());
    if (!defaultModel) {
      problems.addAll(folderProblems(spec.model()));
    }
    Set<String> unknown = new TreeSet<>(spec.options().keySet());
    unknown.removeAll(NAMES);
    for (String name : unknown) {
      problems.add(
          "option '"
              + name
              + "' is unknown to the embedding runtime; known: "
              + new TreeSet<>(NAMES));
    }
    Map<String, String> o = spec.options();
    int maxTokens = defaultModel ? DEFAULT_MODEL_MAX_TOKENS : LOCAL_MODEL_MAX_TOKENS;
    checkInt(o, "threads", 1, 1024, problems);
    checkInt(o, "max_batch_size", 1, 1024, problems);
    checkInt(o, "batch_wait_ms", 0, 1000, problems);
    checkInt(o, "max_inputs", 1, 2048, problems);
    checkInt(o, "max_input_tokens", 2, maxTokens, problems);
    checkInt(o, "heap_mb", 64, 65_536, problems);
    checkBoolean(o, "truncate", problems);
    checkBoolean(o, "normalize", problems);
    checkBoolean(o, "spin_wait", problems);
    String pooling = o.get("pooling");
    if (pooling != null
        && !Set.of("mean", "cls").contains(pooling.trim().toLowerCase(Locale.ROOT))) {
      problems.add("option 'pooling' must be 'mean' or 'cls', got '" + pooling + "'");
    }
    if (defaultModel && (o.containsKey("pooling") || o.containsKey("normalize"))) {
      problems.add(
          "options 'pooling' and 'normalize' apply only to a local model folder; "
              + DEFAULT_MODEL
              + " always uses mean pooling and unit-length vectors");
    }
    return problems;
  }

  private static List<String> folderProblems(String model) {
    Path folder;
    try {
      folder = Path.of(model);
    } catch (RuntimeException e) {
      return List.of("model '" + model + "' is neither '" + DEFAULT_MODEL + "' nor a folder path");
    }
    if (!Files.isDirectory(folder)) {
      return List.of(
          "model '"
              + model
              + "' is neither '"
              + DEFAULT_MODEL
              + "' nor an existing folder holding model.onnx and tokenizer.json");
    }
    List<String> problems = new ArrayList<>();
    for (String file : List.of("model.onnx", "tokenizer.json")) {
      if (!Files.isRegularFile(folder.resolve(file))) {
        problems.add("model folder '" + model + "' has no " + file);
      }
    }
    return problems;
  }

  /** Parses an accepted spec; defaults fill what is absent. */
  static EmbeddingOptions parse(EngineSpec spec) {
    Map<String, String> o = spec.options();
    Path folder =
        isDefaultModel(spec.model()) ? null : Path.of(spec.model()).toAbsolutePath().normalize();
    return new EmbeddingOptions(
        folder,
        intOption(o, "threads", Runtime.getRuntime().availableProcessors()),
        intOption(o, "max_batch_size", 32),
        intOption(o, "batch_wait_ms", 0),
        intOption(o, "max_inputs", 256),
        intOption(o, "max_input_tokens", DEFAULT_MODEL_MAX_TOKENS),
        Boolean.parseBoolean(o.getOrDefault("truncate", "false").trim()),
        intOption(o, "heap_mb", 512),
        o.getOrDefault("pooling", "mean").trim().toLowerCase(Locale.ROOT),
        Boolean.parseBoolean(o.getOrDefault("normalize", "true").trim()),
        Boolean.parseBoolean(o.getOrDefault("spin_wait", "false").trim()));
  }

  private static int intOption(Map<String, String> options, String name, int fallback) {
    String value = options.get(name);
    return value == null ? fallback : Integer.parseInt(value.trim());
  }

  private static void checkInt(
      Map<String, String> options, String name, int min, int max, List<String> problems) {
    String value = options.get(name);
    if (value == null) {
      return;
    }
    try {
      int parsed = Integer.parseInt(value.trim());
      if (parsed < min || parsed > max) {
        problems.add(
            "option '" + name + "' must be between " + min + " and " + max + ", got " + parsed);
      }
    } catch (NumberFormatException e) {
      problems.add("option '" + name + "' must be an integer, got '" + value + "'");
    }
  }

  private static void checkBoolean(
      Map<String, String> options, String name, List<String> problems) {
    String value = options.get(name);
    if (value != null && !Set.of("true", "false").contains(value.trim().toLowerCase(Locale.ROOT))) {
      problems.add("option '" + name + "' must be true or false, got '" + value + "'");
    }
  }
}
