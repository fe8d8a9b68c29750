package io.sage.engine.embedding.server;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Gathers texts that arrive together, from one request or several, into one model run: a batch is
 * whatever queued up while the previous batch ran (at most {@code maxBatchSize}), so a lone text
 * never waits. Only when a batch already has company does it wait up to {@code maxWaitMs} (0 by
 * default: never) for more. One thread runs the model, so ONNX Runtime's own thread pool owns the
 * cores.
 */
public final class MicroBatcher implements AutoCloseable {

  /** What the batcher runs; the encoder in production, a fake in tests. */
  @FunctionalInterface
  public interface BatchEmbedder {
    float[][] embed(List<TokenizedText> batch) throws Exception;
  }

  private record Job(TokenizedText text, CompletableFuture<float[]> result) {}

  private final BatchEmbedder embedder;
  private final int maxBatchSize;
  private final long maxWaitNanos;
  private final BlockingQueue<Job> queue = new LinkedBlockingQueue<>();
  private final Thread worker;
  private volatile boolean running = true;

  public MicroBatcher(BatchEmbedder embedder, int maxBatchSize, int maxWaitMs) {
    if (maxBatchSize < 1 || maxWaitMs < 0) {
      throw new IllegalArgumentException(
          "maxBatchSize must be positive and maxWaitMs not negative");
    }
    this.embedder = embedder;
    this.maxBatchSize = maxBatchSize;
    this.maxWaitNanos = TimeUnit.MILLISECONDS.toNanos(maxWaitMs);
    this.worker = new Thread(this::run, "embedding-batcher");
    this.worker.setDaemon(true);
    this.worker.start();
  }

  /** Queues one text; the future completes with its vector or the model's failure. */
  public CompletableFuture<float[]> submit(TokenizedText text) {
    CompletableFuture<float[]> result = new CompletableFuture<>();
    if (!running) {
      result.completeExceptionally(new IllegalStateException("the embedding batcher is closed"));
      return result;
    }
    queue.add(new Job(text, result));
    return result;
  }

  private void run() {
    while (running) {
      List<Job> batch;
      try {
        batch = nextBatch();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      runBatch(batch);
    }
  }

  private List<Job> nextBatch() throws InterruptedException {
    List<Job> batch = new ArrayList<>(maxBatchSize);
    batch.add(queue.take());
    // Everything that arrived while the last batch ran goes into this one, without waiting.
    queue.drainTo(batch, maxBatchSize - 1);
    if (batch.size() == 1 || maxWaitNanos == 0) {
      return batch;
    }
    long deadline = System.nanoTime() + maxWaitNanos;
    while (batch.size() < maxBatchSize) {
      long left = deadline - System.nanoTime();
      // Past the deadline, still take whatever is already queued: it costs no waiting.
      Job next = left <= 0 ? queue.poll() : queue.poll(left, TimeUnit.NANOSECONDS);
      if (next == null) {
        break;
      }
      batch.add(next);
    }
    return batch;
  }

  private void runBatch(List<Job> batch) {
    try {
      float[][] vectors = embedder.embed(batch.stream().map(Job::text).toList());
      for (int i = 0; i < batch.size(); i++) {
        batch.get(i).result().complete(vectors[i]);
      }
    } catch (Exception | Error e) {
      batch.forEach(job -> job.result().completeExceptionally(e));
      if (e instanceof Error error) {
        throw error;
      }
    }
  }

  @Override
  public void close() {
    running = false;
    worker.interrupt();
    Job job;
    while ((job = queue.poll()) != null) {
      job.result()
          .completeExceptionally(
              new IllegalStateException("the embedding engine is shutting down"));
    }
  }
}
