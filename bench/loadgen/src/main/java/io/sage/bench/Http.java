package io.sage.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;

/** Client plumbing shared by the load tools: connections, requests, histogram lines. */
final class Http {
  private Http() {}

  static EventLoopGroup group(int threads) {
    return new MultiThreadIoEventLoopGroup(threads, NioIoHandler.newFactory());
  }

  static Bootstrap bootstrap(EventLoopGroup group, Supplier<ChannelHandler> handler) {
    return new Bootstrap()
        .group(group)
        .channel(NioSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
        .handler(
            new ChannelInitializer<SocketChannel>() {
              @Override
              protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(new HttpClientCodec()).addLast(handler.get());
              }
            });
  }

  static Channel connect(Bootstrap bootstrap, URI uri) throws InterruptedException {
    return bootstrap.connect(uri.getHost(), port(uri)).sync().channel();
  }

  static int port(URI uri) {
    return uri.getPort() > 0 ? uri.getPort() : 80;
  }

  /** A request with a body (POST) or without (GET when body is null). */
  static FullHttpRequest request(URI uri, byte[] body, List<String> headers) {
    String path = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    FullHttpRequest request =
        body == null
            ? new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path)
            : new DefaultFullHttpRequest(
                HttpVersion.HTTP_1_1, HttpMethod.POST, path, Unpooled.wrappedBuffer(body));
    request.headers().set(HttpHeaderNames.HOST, uri.getHost() + ":" + port(uri));
    if (body != null) {
      request.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
      request.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
    }
    for (String header : headers) {
      int colon = header.indexOf(':');
      request.headers().add(header.substring(0, colon).trim(), header.substring(colon + 1).trim());
    }
    return request;
  }

  static byte[] utf8(String text) {
    return text == null ? null : text.getBytes(StandardCharsets.UTF_8);
  }

  /** Histogram in microseconds as {@code p50 p90 p99 p99.9 max} in milliseconds. */
  static String millis(Histogram h) {
    return String.format(
        java.util.Locale.ROOT,
        "%.3f %.3f %.3f %.3f %.3f",
        h.getValueAtPercentile(50) / 1000.0,
        h.getValueAtPercentile(90) / 1000.0,
        h.getValueAtPercentile(99) / 1000.0,
        h.getValueAtPercentile(99.9) / 1000.0,
        h.getMaxValue() / 1000.0);
  }
}
