package io.sage.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Idle keep-alive connections: opens {@code --connections} connections to {@code --url}, makes one
 * GET on each, holds them all idle for {@code --hold-s} seconds, then makes a second GET on each (a
 * connection the server dropped fails it). With {@code --pid}, the server's RSS is read from /proc
 * before opening and while holding (after a {@code jcmd GC.run} when {@code --jcmd} is given).
 * Prints {@code label opened answered_again rss_before_kb rss_held_kb kb_per_connection}.
 */
final class IdleConnections {
  private IdleConnections() {}

  static void run(Args args) throws Exception {
    URI uri = args.uri("url");
    int count = args.integer("connections", 10_000);
    long pid = Long.parseLong(args.string("pid", "0"));
    String jcmd = args.string("jcmd", "");
    EventLoopGroup group = Http.group(args.integer("threads", 1));
    AtomicInteger answers = new AtomicInteger();
    CountDownLatch[] round = {new CountDownLatch(count)};
    Bootstrap bootstrap =
        Http.bootstrap(
            group,
            () ->
                new SimpleChannelInboundHandler<HttpObject>() {
                  private boolean ok;

                  @Override
                  protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
                    if (msg instanceof HttpResponse r) {
                      ok = r.status().code() == 200;
                    }
                    if (msg instanceof LastHttpContent) {
                      if (ok) {
                        answers.incrementAndGet();
                      }
                      round[0].countDown();
                    }
                  }

                  @Override
                  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                    ctx.close();
                  }
                });
    long before = rss(pid, jcmd);
    List<Channel> channels = new ArrayList<>(count);
    for (int i = 0; i < count; i += 250) {
      List<ChannelFuture> batch = new ArrayList<>();
      for (int j = i; j < Math.min(count, i + 250); j++) {
        batch.add(bootstrap.connect(uri.getHost(), Http.port(uri)));
      }
      for (ChannelFuture f : batch) {
        if (f.awaitUninterruptibly().isSuccess()) {
          channels.add(f.channel());
          f.channel().writeAndFlush(Http.request(uri, null, List.of()));
        } else {
          round[0].countDown();
        }
      }
    }
    round[0].await(60, TimeUnit.SECONDS);
    int opened = answers.getAndSet(0);
    Thread.sleep((long) (args.decimal("hold-s", 5) * 1000));
    long held = rss(pid, jcmd);
    round[0] = new CountDownLatch(channels.size());
    for (Channel channel : channels) {
      if (channel.isActive()) {
        channel.writeAndFlush(Http.request(uri, null, List.of()));
      } else {
        round[0].countDown();
      }
    }
    round[0].await(60, TimeUnit.SECONDS);
    int again = answers.get();
    System.out.printf(
        java.util.Locale.ROOT,
        "%s %d %d %d %d %.2f%n",
        args.string("label", "idle"),
        opened,
        again,
        before,
        held,
        opened == 0 ? 0.0 : (held - before) / (double) opened);
    for (Channel channel : channels) {
      channel.close();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }

  /** VmRSS of the process in kB (0 without a pid). */
  static long rss(long pid, String jcmd) throws Exception {
    if (pid <= 0) {
      return 0;
    }
    if (!jcmd.isEmpty()) {
      new ProcessBuilder(jcmd, Long.toString(pid), "GC.run")
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start()
          .waitFor(30, TimeUnit.SECONDS);
      Thread.sleep(500);
    }
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return 0;
  }
}
