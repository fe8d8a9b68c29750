package io.sage.gateway.observability;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import io.sage.gateway.config.AccessLogConfig;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the access log ({@code <data-dir>/logs/access.log}, JSON lines) on its own thread. Request
 * threads only offer to a bounded queue; when it is full the entry is dropped and counted ({@code
 * sage_access_log_dropped_total}) rather than slowing requests. Rotated by size.
 */
@Singleton
@Requires(property = AccessLogWriter.ENABLED, notEquals = "false")
final class AccessLogWriter implements AutoCloseable {
  static final String ENABLED = "sage.access-log.enabled";
  private static final Logger LOG = LoggerFactory.getLogger(AccessLogWriter.class);
  private static final JsonFactory JSON = new JsonFactory();
  private static final int KEEP = 3;

  private final Path file;
  private final long maxBytes;
  private final BlockingQueue<AccessLogEntry> queue;
  private final AtomicLong dropped = new AtomicLong();
  private final Thread thread;
  private volatile boolean closing;
  private OutputStream out;
  private long size;

  @Inject
  AccessLogWriter(
      @Value("${sage.data-dir}") String dataDir,
      AccessLogConfig config,
      Optional<MeterRegistry> meters) {
    this(
        Path.of(dataDir).resolve("logs").resolve("access.log"),
        config.maxBytes(),
        config.queueSize());
    meters.ifPresent(
        m ->
            FunctionCounter.builder("sage.access.log.dropped", dropped, AtomicLong::get)
                .description("Access log lines dropped because the writer fell behind")
                .register(m));
  }

  AccessLogWriter(Path file, long maxBytes, int queueSize) {
    this.file = file;
    this.maxBytes = maxBytes;
    this.queue = new ArrayBlockingQueue<>(queueSize);
    this.thread = new Thread(this::run, "sage-access-log");
    thread.setDaemon(true);
    thread.start();
  }

  /** Queues one entry; false (and counted) when the queue is full. */
  boolean offer(AccessLogEntry entry) {
    if (closing || !queue.offer(entry)) {
      dropped.incrementAndGet();
      return false;
    }
    return true;
  }

  long dropped() {
    return dropped.get();
  }

  private void run() {
    List<AccessLogEntry> batch = new ArrayList<>();
    while (!closing || !queue.isEmpty()) {
      try {
        AccessLogEntry first = queue.poll(200, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        if (!closing) {
          // let a batch build up: one wake-up and one write per 20 ms instead of one per request,
          // which on a small machine costs the request threads far less CPU
          Thread.sleep(20);
        }
        batch.add(first);
        queue.drainTo(batch, 8191);
        write(batch);
      } catch (InterruptedException e) {
        if (!closing) {
          Thread.currentThread().interrupt();
          return;
        }
      } catch (IOException | RuntimeException e) {
        dropped.addAndGet(batch.size());
        LOG.warn("access log {}: write failed: {}", file, e.toString());
        closeQuietly();
      } finally {
        batch.clear();
      }
    }
    closeQuietly();
  }

  private void write(List<AccessLogEntry> batch) throws IOException {
    if (out == null) {
      Files.createDirectories(file.getParent());
      out =
          new BufferedOutputStream(
              Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND));
      size = Files.size(file);
    }
    CountingStream counting = new CountingStream(out);
    try (JsonGenerator json = JSON.createGenerator(counting, JsonEncoding.UTF8)) {
      json.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
      json.setRootValueSeparator(null);
      for (AccessLogEntry entry : batch) {
        line(json, entry);
        json.flush();
        counting.write('\n');
      }
    }
    out.flush();
    size += counting.count;
    if (size >= maxBytes) {
      rotate();
    }
  }

  static void line(JsonGenerator json, AccessLogEntry e) throws IOException {
    json.writeStartObject();
    json.writeStringField("time", Instant.ofEpochMilli(e.startMillis()).toString());
    json.writeStringField("request_id", e.requestId());
    json.writeStringField("key_id", e.keyId());
    json.writeStringField("route", e.route());
    json.writeStringField("model", e.model());
    json.writeBooleanField("stream", e.stream());
    json.writeStringField("engine", e.engine());
    json.writeNumberField("status", e.status());
    json.writeBooleanField("completed", e.completed());
    json.writeNumberField("latency_ms", millis(e.latencyNanos()));
    if (e.firstByteNanos() < 0) {
      json.writeNullField("ttfb_ms");
    } else {
      json.writeNumberField("ttfb_ms", millis(e.firstByteNanos()));
    }
    json.writeNumberField("bytes_in", e.bytesIn());
    json.writeNumberField("bytes_out", e.bytesOut());
    json.writeNumberField("retries", e.retries());
    json.writeStringField("error", e.error());
    json.writeEndObject();
  }

  private static double millis(long nanos) {
    return Math.round(nanos / 1_000.0) / 1_000.0;
  }

  private void rotate() throws IOException {
    closeQuietly();
    for (int i = KEEP - 1; i >= 1; i--) {
      Path older = file.resolveSibling(file.getFileName() + "." + i);
      if (Files.exists(older)) {
        Files.move(
            older,
            file.resolveSibling(file.getFileName() + "." + (i + 1)),
            StandardCopyOption.REPLACE_EXISTING);
      }
    }
    Files.move(
        file, file.resolveSibling(file.getFileName() + ".1"), StandardCopyOption.REPLACE_EXISTING);
  }

  private void closeQuietly() {
    if (out != null) {
      try {
        out.close();
      } catch (IOException e) {
        LOG.warn("access log {}: close failed: {}", file, e.toString());
      }
      out = null;
    }
  }

  /** Stops taking entries, writes what is queued, and closes the file. */
  @PreDestroy
  @Override
  public void close() {
    closing = true;
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static final class CountingStream extends OutputStream {
    private final OutputStream target;
    private long count;

    CountingStream(OutputStream target) {
      this.target = target;
    }

    @Override
    public void write(int b) throws IOException {
      target.write(b);
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      target.write(b, off, len);
      count += len;
    }
  }
}
