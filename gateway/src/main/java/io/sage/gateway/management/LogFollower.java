package io.sage.gateway.management;

import io.micronaut.buffer.netty.NettyByteBufferFactory;
import io.micronaut.core.io.buffer.ReadBuffer;
import io.micronaut.core.io.buffer.ReadBufferFactory;
import io.micronaut.http.body.ByteBodyFactory;
import io.micronaut.http.body.CloseableByteBody;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/**
 * {@code logs?follow=true}: the last lines of an engine's log, then every new line as it is
 * written, as chunked plain text until the client leaves. Polls the file (4 times a second) on a
 * bounded elastic thread; survives rotation (the file shrinking starts it over).
 */
final class LogFollower {
  private static final ByteBodyFactory BODIES =
      ByteBodyFactory.createDefault(NettyByteBufferFactory.DEFAULT);
  private static final ReadBufferFactory BUFFERS = ReadBufferFactory.getJdkFactory();
  private static final Duration POLL = Duration.ofMillis(250);

  private LogFollower() {}

  /**
   * @param mask applied to the text before it is sent (the engine key); new output is sent in whole
   *     lines, so a secret is never split between two chunks
   */
  static CloseableByteBody follow(Path file, List<String> tail, UnaryOperator<String> mask) {
    String head = tail.isEmpty() ? "" : String.join("\n", tail) + "\n";
    long[] position = {size(file)};
    Flux<ReadBuffer> updates =
        Flux.interval(POLL, Schedulers.boundedElastic())
            .map(tick -> read(file, position))
            .filter(bytes -> bytes.length > 0)
            .map(
                bytes ->
                    mask.apply(new String(bytes, StandardCharsets.UTF_8))
                        .getBytes(StandardCharsets.UTF_8))
            .map(BUFFERS::adapt);
    Flux<ReadBuffer> body =
        Flux.concat(
            Flux.just(BUFFERS.adapt(mask.apply(head).getBytes(StandardCharsets.UTF_8))), updates);
    return BODIES.adapt(body);
  }

  private static long size(Path file) {
    try {
      return Files.exists(file) ? Files.size(file) : 0;
    } catch (IOException e) {
      return 0;
    }
  }

  private static byte[] read(Path file, long[] position) {
    if (!Files.exists(file)) {
      return new byte[0];
    }
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
      long length = raf.length();
      if (length < position[0]) {
        position[0] = 0;
      }
      int n = (int) Math.min(length - position[0], 1 << 20);
      byte[] bytes = new byte[n];
      raf.seek(position[0]);
      raf.readFully(bytes);
      int end = n;
      while (end > 0 && bytes[end - 1] != '\n') {
        end--;
      }
      if (end == 0 && n < 1 << 20) {
        return new byte[0]; // a line still being written: wait for its end
      }
      byte[] lines = end == 0 ? bytes : java.util.Arrays.copyOf(bytes, end);
      position[0] += lines.length;
      return lines;
    } catch (IOException e) {
      return new byte[0];
    }
  }
}
