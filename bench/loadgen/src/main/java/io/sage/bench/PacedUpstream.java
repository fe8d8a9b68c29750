package io.sage.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An OpenAI-shaped engine that answers after a fixed delay and streams tokens at a fixed pace, on
 * Netty's event loop (no thread per stream), so it can hold thousands of streams and set the
 * "direct" baseline. Token {@code i} of a stream carries the content {@code "t<i> "}, so a client
 * can tell a lost, merged or reordered event. Prints {@code listening on 127.0.0.1:PORT}.
 *
 * <p>Options: {@code --port} (0), {@code --delay-ms} before a reply or the first token (20), {@code
 * --gap-ms} between tokens (20), {@code --model} (repeatable; "bench"), {@code --threads} (1).
 */
final class PacedUpstream {
  private static final Pattern STREAM = Pattern.compile("\"stream\"\\s*:\\s*true");
  private static final Pattern MAX_TOKENS = Pattern.compile("\"max_tokens\"\\s*:\\s*(\\d+)");

  private PacedUpstream() {}

  static void run(Args args) throws Exception {
    int port = args.integer("port", 0);
    long delayNanos = (long) (args.decimal("delay-ms", 20) * 1_000_000);
    long gapNanos = (long) (args.decimal("gap-ms", 20) * 1_000_000);
    List<String> models = args.all("model").isEmpty() ? List.of("bench") : args.all("model");
    EventLoopGroup group =
        new MultiThreadIoEventLoopGroup(args.integer("threads", 1), NioIoHandler.newFactory());
    byte[] modelsJson = modelsJson(models);
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .option(ChannelOption.SO_BACKLOG, 4096)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline()
                        .addLast(new HttpServerCodec())
                        .addLast(new HttpObjectAggregator(1 << 20))
                        .addLast(new Handler(delayNanos, gapNanos, modelsJson));
                  }
                });
    InetSocketAddress bound =
        (InetSocketAddress) bootstrap.bind("127.0.0.1", port).sync().channel().localAddress();
    System.out.println("listening on 127.0.0.1:" + bound.getPort());
    System.out.flush();
    Thread.currentThread().join();
  }

  private static byte[] modelsJson(List<String> models) {
    StringBuilder json = new StringBuilder("{\"object\":\"list\",\"data\":[");
    for (int i = 0; i < models.size(); i++) {
      json.append(i == 0 ? "" : ",")
          .append("{\"id\":\"")
          .append(models.get(i))
          .append("\",\"object\":\"model\",\"owned_by\":\"bench\"}");
    }
    return json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
  }

  private static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final long delayNanos;
    private final long gapNanos;
    private final byte[] modelsJson;

    Handler(long delayNanos, long gapNanos, byte[] modelsJson) {
      this.delayNanos = delayNanos;
      this.gapNanos = gapNanos;
      this.modelsJson = modelsJson;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      boolean keepAlive = HttpUtil.isKeepAlive(request);
      String path = request.uri();
      if (request.method().equals(HttpMethod.GET) && path.startsWith("/health")) {
        reply(ctx, keepAlive, "{\"status\":\"ok\"}".getBytes(StandardCharsets.UTF_8), 0);
      } else if (request.method().equals(HttpMethod.GET) && path.startsWith("/v1/models")) {
        reply(ctx, keepAlive, modelsJson, 0);
      } else if (request.method().equals(HttpMethod.POST) && path.startsWith("/v1/")) {
        String body = request.content().toString(StandardCharsets.UTF_8);
        Matcher tokens = MAX_TOKENS.matcher(body);
        int count = tokens.find() ? Integer.parseInt(tokens.group(1)) : 16;
        if (STREAM.matcher(body).find()) {
          stream(ctx, keepAlive, count);
        } else {
          reply(ctx, keepAlive, completion(count), delayNanos);
        }
      } else {
        FullHttpResponse missing =
            new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_FOUND);
        HttpUtil.setContentLength(missing, 0);
        ctx.writeAndFlush(missing);
      }
    }

    private void reply(ChannelHandlerContext ctx, boolean keepAlive, byte[] json, long delay) {
      FullHttpResponse response =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(json));
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
      HttpUtil.setContentLength(response, json.length);
      HttpUtil.setKeepAlive(response, keepAlive);
      Runnable send =
          () -> {
            var future = ctx.writeAndFlush(response);
            if (!keepAlive) {
              future.addListener(ChannelFutureListener.CLOSE);
            }
          };
      if (delay <= 0) {
        send.run();
      } else {
        ctx.executor().schedule(send, delay, TimeUnit.NANOSECONDS);
      }
    }

    private void stream(ChannelHandlerContext ctx, boolean keepAlive, int count) {
      HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
      head.headers()
          .set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream")
          .set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
      HttpUtil.setTransferEncodingChunked(head, true);
      HttpUtil.setKeepAlive(head, keepAlive);
      ctx.writeAndFlush(head);
      long start = System.nanoTime() + delayNanos;
      new Tokens(ctx, keepAlive, count, start).schedule(0);
    }

    private final class Tokens implements Runnable {
      private final ChannelHandlerContext ctx;
      private final boolean keepAlive;
      private final int count;
      private final long start;
      private int next;

      Tokens(ChannelHandlerContext ctx, boolean keepAlive, int count, long start) {
        this.ctx = ctx;
        this.keepAlive = keepAlive;
        this.count = count;
        this.start = start;
      }

      void schedule(int index) {
        long wait = start + index * gapNanos - System.nanoTime();
        ctx.executor().schedule(this, Math.max(0, wait), TimeUnit.NANOSECONDS);
      }

      @Override
      public void run() {
        if (!ctx.channel().isActive()) {
          return;
        }
        int index = next++;
        if (index < count) {
          ctx.writeAndFlush(new DefaultHttpContent(chunk(index, null)));
          schedule(index + 1);
          return;
        }
        ByteBuf end = chunk(index, "stop");
        end.writeBytes("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
        ctx.write(new DefaultHttpContent(end));
        var future = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        if (!keepAlive) {
          future.addListener(ChannelFutureListener.CLOSE);
        }
      }
    }
  }

  static ByteBuf chunk(int index, String finish) {
    String delta = finish == null ? "{\"content\":\"t" + index + " \"}" : "{}";
    String reason = finish == null ? "null" : "\"" + finish + "\"";
    String event =
        "data: {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1,"
            + "\"model\":\"bench\",\"choices\":[{\"index\":0,\"delta\":"
            + delta
            + ",\"finish_reason\":"
            + reason
            + "}]}\n\n";
    return Unpooled.copiedBuffer(event, StandardCharsets.UTF_8);
  }

  static byte[] completion(int tokens) {
    StringBuilder content = new StringBuilder();
    for (int i = 0; i < tokens; i++) {
      content.append('t').append(i).append(' ');
    }
    return ("{\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion\",\"created\":1,"
            + "\"model\":\"bench\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
            + "\"content\":\""
            + content
            + "\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":2,"
            + "\"completion_tokens\":"
            + tokens
            + ",\"total_tokens\":"
            + (tokens + 2)
            + "}}")
        .getBytes(StandardCharsets.UTF_8);
  }
}
