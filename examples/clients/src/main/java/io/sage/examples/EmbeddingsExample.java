package io.sage.examples;

import io.sage.client.UnifiedInferenceClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Embeds a few sentences in one request and prints the cosine similarity of every pair, most
 * similar first. Arguments: {@code [gateway-url]}. Needs an embedding engine (runtime {@code
 * embedding}, or {@code mock} with {@code engine_kind: embedding}).
 */
public final class EmbeddingsExample {
  static final List<String> SENTENCES =
      List.of(
          "The cat sits on the mat.",
          "A kitten is resting on a rug.",
          "GPUs accelerate matrix multiplication.",
          "Graphics cards make linear algebra fast.");

  private EmbeddingsExample() {}

  public static void main(String[] args) {
    GatewayAddress.run(
        "EmbeddingsExample",
        () -> {
          UnifiedInferenceClient client = GatewayAddress.client(args);
          List<float[]> vectors = client.embed(SENTENCES);
          System.out.println(vectors.size() + " vectors of dimension " + vectors.get(0).length);
          record Pair(int a, int b, double similarity) {}
          List<Pair> pairs = new ArrayList<>();
          for (int a = 0; a < vectors.size(); a++) {
            for (int b = a + 1; b < vectors.size(); b++) {
              pairs.add(new Pair(a, b, cosine(vectors.get(a), vectors.get(b))));
            }
          }
          pairs.sort((x, y) -> Double.compare(y.similarity(), x.similarity()));
          for (Pair pair : pairs) {
            System.out.println(
                String.format(
                    Locale.ROOT,
                    "cosine %.4f  \"%s\" ~ \"%s\"",
                    pair.similarity(),
                    SENTENCES.get(pair.a()),
                    SENTENCES.get(pair.b())));
          }
        });
  }

  static double cosine(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException(
          "vectors differ in length: " + a.length + " vs " + b.length);
    }
    double dot = 0;
    double normA = 0;
    double normB = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
      normA += (double) a[i] * a[i];
      normB += (double) b[i] * b[i];
    }
    return normA == 0 || normB == 0 ? 0 : dot / Math.sqrt(normA * normB);
  }
}
