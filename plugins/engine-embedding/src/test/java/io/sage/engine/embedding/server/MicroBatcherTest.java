package io.sage.engine.embedding.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
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
  void aLoneTextNeverWaitsForCompany() throws Exception {
    RecordingEmbedder embedder = new RecordingEmbedder();
    // a wait of a minute would show as a timeout below if a lone text waited for it
    try (MicroBatcher batcher = new MicroBatcher(embedder, 8, 60_000)) {
      assertThat(batcher.submit(text(7)).get(10, TimeUnit.SECONDS)[0]).isEqualTo(7);
      assertThat(embedder.batchSizes).containsExactly(1);
    }
  }

  @Test
  void textsQueuedWhileABatchRunsShareTheNextBatchAndKeepTheirOwnResults() throws Exception {
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    RecordingEmbedder recorder = new RecordingEmbedder();
    MicroBatcher.BatchEmbedder embedder =
        batch -> {
          running.countDown();
          release.await();
          return recorder.embed(batch);
        };
    try (MicroBatcher batcher = new MicroBatcher(embedder, 8, 0)) {
      CompletableFuture<float[]> first = batcher.submit(text(100));
      assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
      List<CompletableFuture<float[]>> results = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        results.add(batcher.submit(text(i)));
      }
      release.countDown();
      assertThat(first.get()[0]).isEqualTo(100);
      for (int i = 0; i < 5; i++) {
        assertThat(results.get(i).get()[0]).isEqualTo(i);
        assertThat(results.get(i).get()[1]).isEqualTo(2); // all from the second batch
      }
      assertThat(recorder.batchSizes).containsExactly(1, 5);
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
