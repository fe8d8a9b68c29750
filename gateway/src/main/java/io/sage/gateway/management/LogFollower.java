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
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/**
 * {@code logs?follow=true}: the last lines of an engine's log, then every new line as it is
 * written, as chunked plain text until the client leaves. Polls the file (4 times a second) on a
 * bounded elastic thread; survives rotation (the file shrinking starts it over).
 */
final class LogFollower {
  private static final ByteBodyFactory BODIES = ByteBodyFactory.createDefault(NettyByteBufferFactory.DEFAULT);
  private static final ReadBufferFactory BUFFERS = ReadBufferFactory.getJdkFactory();
  private static final Duration POLL = Duration.ofMillis(250);

  private LogFollower() {}

  static CloseableByteBody follow(Path file, List<String> tail) {
    String head = tail.isEmpty() ? "" : String.join("\n", tail) + "\n";
    long[] position = {size(file)};
    Flux<ReadBuffer> updates = Flux.interval(POLL, Schedulers.boundedElastic())
        .map(tick -> read(file, position))
        .filter(bytes -> bytes.length > 0)
        .map(BUFFERS::adapt);
    Flux<ReadBuffer> body = Flux.concat(Flux.just(BUFFERS.adapt(head.getBytes(StandardCharsets.UTF_8))), updates);
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
      position[0] += n;
      return bytes;
    } catch (IOException e) {
      return new byte[0];
    }
  }
}
