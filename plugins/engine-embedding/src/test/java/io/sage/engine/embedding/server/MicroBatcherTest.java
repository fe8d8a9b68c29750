package io.sage.engine.embedding.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class MicroBatcherTest {

  /** Records batch sizes and answers each text with {id, batch number}. */
  private static final class RecordingEmbedder implements MicroBatcher.BatchEmbedder {
    final List<Integer> batchSizes = new CopyOnWriteArrayList<>();

    @Override
    public float[][] embed(List<TokenizedText> batch) {
      batchSizes.add(batch.size());
      float[][] out = new float[batch.size()][];
      for (int i = 0; i < out.length; i++) {
        out[i] = new float[] {batch.get(i).ids()[0], batchSizes.size()};
      }
      return out;
    }
  }

  private static TokenizedText text(long id) {
    return new TokenizedText(new long[] {id}, new long[] {0});
  }

  @Test
  void textsArrivingTogetherShareABatchAndKeepTheirOwnResults() throws Exception {
    RecordingEmbedder embedder = new RecordingEmbedder();
    try (MicroBatcher batcher = new MicroBatcher(embedder, 8, 200)) {
      List<CompletableFuture<float[]>> results = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        results.add(batcher.submit(text(i)));
      }
      for (int i = 0; i < 5; i++) {
        assertThat(results.get(i).get()[0]).isEqualTo(i);
      }
      assertThat(embedder.batchSizes).containsExactly(5);
    }
  }

  @Test
  void batchesNeverExceedTheMaximum() throws Exception {
    RecordingEmbedder embedder = new RecordingEmbedder();
    try (MicroBatcher batcher = new MicroBatcher(embedder, 4, 50)) {
      List<CompletableFuture<float[]>> results = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        results.add(batcher.submit(text(i)));
      }
      CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).get();
      assertThat(embedder.batchSizes).allMatch(size -> size <= 4);
      assertThat(embedder.batchSizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(10);
    }
  }

  @Test
  void aFailingModelFailsEveryTextOfItsBatch() {
    try (MicroBatcher batcher =
        new MicroBatcher(
            batch -> {
              throw new IllegalStateException("onnx broke");
            },
            4,
            0)) {
      assertThatThrownBy(() -> batcher.submit(text(1)).get())
          .isInstanceOf(ExecutionException.class)
          .hasMessageContaining("onnx broke");
    }
  }
}
